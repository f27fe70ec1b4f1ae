import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GUARD_TASK_NAME, guardTaskXml } from './guard-task-xml.js';
import { icaclsArgs, machineFileAclCommands } from './machine-enrollment.js';
import { encodeTaskXml, TASK_NAME, taskXml } from './task-xml.js';

/**
 * What the elevated installer does after copying the files and enrolling
 * (`Latchkey.exe --install-machine <result file>`, build/installer.nsh): protect the machine's
 * secrets, then register the lock's and the guard's tasks and start the guard. Any step that fails
 * stops the rest, undoes the tasks this run registered, and says why in one line; the installer
 * shows that line and aborts, so no computer is left looking protected without a lock task or guard.
 *
 * The Windows commands, exactly (verify by hand: docs/deployment.md, "Checking a computer"):
 *   icacls.exe <file> /reset
 *   icacls.exe <file> /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F
 *   icacls.exe lock-trust.json.new /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F *S-1-5-32-545:R   (lock-trust.ts)
 *   schtasks.exe /Create /F /TN Latchkey\Lock /XML <file>     (and Latchkey\Guard)
 *   schtasks.exe /Run /TN Latchkey\Guard
 *   schtasks.exe /Delete /F /TN <task>                        (undo)
 */

export interface CommandResult {
  /** The exit code; null when the command could not be started or was killed. */
  status: number | null;
  /** What it wrote (stdout and stderr), or why it could not start. */
  output: string;
}
export type RunCommand = (command: string, args: readonly string[]) => CommandResult;

export const ICACLS = 'icacls.exe';
export const SCHTASKS = 'schtasks.exe';

export const createTaskArgs = (name: string, xmlFile: string) => ['/Create', '/F', '/TN', name, '/XML', xmlFile];
export const runTaskArgs = (name: string) => ['/Run', '/TN', name];
export const deleteTaskArgs = (name: string) => ['/Delete', '/F', '/TN', name];

export type InstallResult = { ok: true; message: string } | { ok: false; message: string };

export interface InstallMachineInput {
  /** The installed Latchkey.exe. */
  command: string;
  /** client.json's path (machine-config.ts machineConfigPath). */
  configPath: string;
  /** Where the task documents are written (the installer's temporary folder). */
  workDir: string;
  run: RunCommand;
  exists: (path: string) => boolean;
  writeFile: (path: string, data: Uint8Array) => void;
  /**
   * Makes the guard identity key and writes the lock trust file (lock-trust.ts ensureLockTrust),
   * restricting it with `restrict` (icacls through `run`); throws when it cannot. Absent: skipped.
   */
  lockTrust?: (restrict: (path: string, acl: readonly string[]) => void) => void;
}

/** The command's own words, on one line, for the message box. */
function reason(result: CommandResult): string {
  const text = result.output.replace(/\s+/g, ' ').trim();
  const code = result.status === null ? 'did not run' : `exit code ${result.status}`;
  return text ? `${text} (${code})` : code;
}

export function installMachine(input: InstallMachineInput): InstallResult {
  for (const args of machineFileAclCommands(input.configPath, input.exists)) {
    const result = input.run(ICACLS, args);
    if (result.status !== 0) {
      return {
        ok: false,
        message: `Could not restrict ${args[0]} to SYSTEM and Administrators: icacls ${args.slice(1).join(' ')}: ${reason(result)}.`,
      };
    }
  }

  if (input.lockTrust) {
    try {
      input.lockTrust((path, acl) => {
        const result = input.run(ICACLS, icaclsArgs(path, acl));
        if (result.status !== 0) throw new Error(`icacls ${icaclsArgs(path, acl).join(' ')}: ${reason(result)}`);
      });
    } catch (err) {
      // Without it no lock can authenticate the guard: every session would stay locked.
      return { ok: false, message: `Could not write the lock trust file: ${(err as Error).message}.` };
    }
  }

  const tasks = [
    { name: TASK_NAME, file: join(input.workDir, 'latchkey-task.xml'), xml: taskXml({ command: input.command }) },
    { name: GUARD_TASK_NAME, file: join(input.workDir, 'latchkey-guard-task.xml'), xml: guardTaskXml({ command: input.command }) },
  ];
  const registered: string[] = [];
  const undo = () => {
    for (const name of registered.reverse()) input.run(SCHTASKS, deleteTaskArgs(name));
  };
  for (const task of tasks) {
    input.writeFile(task.file, encodeTaskXml(task.xml));
    const result = input.run(SCHTASKS, createTaskArgs(task.name, task.file));
    if (result.status !== 0) {
      undo();
      return { ok: false, message: `Task Scheduler refused the task ${task.name}: ${reason(result)}. No Latchkey task is registered.` };
    }
    registered.push(task.name);
  }
  const started = input.run(SCHTASKS, runTaskArgs(GUARD_TASK_NAME));
  if (started.status !== 0) {
    undo();
    return { ok: false, message: `The guard task ${GUARD_TASK_NAME} did not start: ${reason(started)}. No Latchkey task is registered.` };
  }
  return { ok: true, message: `Registered ${registered.join(' and ')} and started the guard.` };
}

/** RunCommand on this computer: the command's exit code and its output, never a shell. */
export const runCommand: RunCommand = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8', windowsHide: true, timeout: 60_000 });
  return { status: result.status, output: result.error ? result.error.message : `${result.stdout}${result.stderr}` };
};

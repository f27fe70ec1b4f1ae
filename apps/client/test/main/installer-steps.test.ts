import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GUARD_TASK_NAME, guardTaskXml } from '../../src/main/guard-task-xml.js';
import { ICACLS, installMachine, SCHTASKS, runCommand, type CommandResult } from '../../src/main/installer-steps.js';
import { machineFileAclCommands } from '../../src/main/machine-enrollment.js';
import { encodeTaskXml, TASK_NAME, taskXml } from '../../src/main/task-xml.js';

const DIR = 'C:\\ProgramData\\Latchkey';
const CONFIG = `${DIR}\\client.json`;
const EXE = 'C:\\Program Files\\Latchkey\\Latchkey.exe';
const WORK = 'C:\\Temp\\nsis1234';

const S = (path: string) => path.replaceAll('\\', '/');

/** A Windows host that records every command and answers as told (a path with `/` joins as Linux does). */
function host(options: { fail?: (command: string, args: readonly string[]) => CommandResult | undefined; files?: string[] } = {}) {
  const ran: string[][] = [];
  const written = new Map<string, Uint8Array>();
  const files = new Set(options.files ?? [S(CONFIG)]);
  const input = {
    command: EXE,
    configPath: CONFIG.replaceAll('\\', '/'),
    workDir: WORK.replaceAll('\\', '/'),
    run: (command: string, args: readonly string[]) => {
      ran.push([command, ...args]);
      return options.fail?.(command, args) ?? { status: 0, output: 'SUCCESS' };
    },
    exists: (path: string) => files.has(path),
    writeFile: (path: string, data: Uint8Array) => void written.set(path, data),
  };
  return { input, ran, written };
}

const SECRET_ACL = ['/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F'];

describe('the machine secrets are SYSTEM and Administrators only (issue 24)', () => {
  it('resets, then removes inheritance and grants exactly SYSTEM and Administrators, by SID, on each secret', () => {
    const all = new Set([S(CONFIG), `${S(DIR)}/machine-token.json`, `${S(DIR)}/machine-offline-key.json`, `${S(DIR)}/offline`]);
    expect(machineFileAclCommands(S(CONFIG), (p) => all.has(p))).toEqual([
      [S(CONFIG), '/reset'],
      [S(CONFIG), ...SECRET_ACL],
      [`${S(DIR)}/machine-token.json`, '/reset'],
      [`${S(DIR)}/machine-token.json`, ...SECRET_ACL],
      [`${S(DIR)}/machine-offline-key.json`, '/reset'],
      [`${S(DIR)}/machine-offline-key.json`, ...SECRET_ACL],
      [`${S(DIR)}/offline`, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'],
    ]);
    // Only the files that exist (not yet enrolled: client.json alone).
    expect(machineFileAclCommands(S(CONFIG), (p) => p === S(CONFIG))).toEqual([
      [S(CONFIG), '/reset'],
      [S(CONFIG), ...SECRET_ACL],
    ]);
  });
});

describe('the installer registers both tasks or stops (issue 24 item 7)', () => {
  const files = [S(CONFIG), `${S(DIR)}/machine-token.json`];

  it('protects the secrets first, then registers the lock and the guard task from this path, then starts the guard', () => {
    const { input, ran, written } = host({ files });
    expect(installMachine(input)).toEqual({ ok: true, message: `Registered ${TASK_NAME} and ${GUARD_TASK_NAME} and started the guard.` });
    expect(ran).toEqual([
      [ICACLS, S(CONFIG), '/reset'],
      [ICACLS, S(CONFIG), ...SECRET_ACL],
      [ICACLS, `${S(DIR)}/machine-token.json`, '/reset'],
      [ICACLS, `${S(DIR)}/machine-token.json`, ...SECRET_ACL],
      [SCHTASKS, '/Create', '/F', '/TN', 'Latchkey\\Lock', '/XML', `${S(WORK)}/latchkey-task.xml`],
      [SCHTASKS, '/Create', '/F', '/TN', 'Latchkey\\Guard', '/XML', `${S(WORK)}/latchkey-guard-task.xml`],
      [SCHTASKS, '/Run', '/TN', 'Latchkey\\Guard'],
    ]);
    expect(written.get(`${S(WORK)}/latchkey-task.xml`)).toEqual(encodeTaskXml(taskXml({ command: EXE })));
    expect(written.get(`${S(WORK)}/latchkey-guard-task.xml`)).toEqual(encodeTaskXml(guardTaskXml({ command: EXE })));
  });

  it("a refused guard task: the lock task this run registered is deleted, and the message gives schtasks' reason", () => {
    const refusal = 'ERROR: The task XML contains a value which is incorrectly formatted or out of range.\r\n(38,14):Count:999\r\n';
    const { input, ran } = host({
      files,
      fail: (command, args) =>
        command === SCHTASKS && args[0] === '/Create' && args[3] === GUARD_TASK_NAME ? { status: 1, output: refusal } : undefined,
    });
    const result = installMachine(input);
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      'Task Scheduler refused the task Latchkey\\Guard: ERROR: The task XML contains a value which is incorrectly formatted or out of range. (38,14):Count:999 (exit code 1). No Latchkey task is registered.',
    );
    expect(ran.slice(-2)).toEqual([
      [SCHTASKS, '/Create', '/F', '/TN', 'Latchkey\\Guard', '/XML', `${S(WORK)}/latchkey-guard-task.xml`],
      [SCHTASKS, '/Delete', '/F', '/TN', 'Latchkey\\Lock'],
    ]);
    expect(ran.some(([, first]) => first === '/Run')).toBe(false);
  });

  it('a refused lock task: nothing else is registered', () => {
    const { input, ran } = host({
      files,
      fail: (command) => (command === SCHTASKS ? { status: 1, output: 'ERROR: Access is denied.' } : undefined),
    });
    expect(installMachine(input)).toEqual({
      ok: false,
      message: 'Task Scheduler refused the task Latchkey\\Lock: ERROR: Access is denied. (exit code 1). No Latchkey task is registered.',
    });
    expect(ran.filter(([command]) => command === SCHTASKS)).toEqual([
      [SCHTASKS, '/Create', '/F', '/TN', 'Latchkey\\Lock', '/XML', `${S(WORK)}/latchkey-task.xml`],
    ]);
  });

  it('a guard that does not start: both tasks are deleted again, the guard last registered first', () => {
    const { input, ran } = host({
      files,
      fail: (_command, args) => (args[0] === '/Run' ? { status: 1, output: 'ERROR: The service is not available.' } : undefined),
    });
    const result = installMachine(input);
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^The guard task Latchkey\\Guard did not start: ERROR: The service is not available\. \(exit code 1\)/,
      ),
    });
    expect(ran.slice(-2)).toEqual([
      [SCHTASKS, '/Delete', '/F', '/TN', 'Latchkey\\Guard'],
      [SCHTASKS, '/Delete', '/F', '/TN', 'Latchkey\\Lock'],
    ]);
  });

  it('an icacls that fails stops before any task, naming the file', () => {
    const { input, ran } = host({
      files,
      fail: (command, args) =>
        command === ICACLS && args[0]!.endsWith('machine-token.json') && args[1] === '/reset'
          ? { status: null, output: 'spawnSync icacls.exe ENOENT' }
          : undefined,
    });
    const result = installMachine(input);
    expect(result).toEqual({
      ok: false,
      message: `Could not restrict ${S(DIR)}/machine-token.json to SYSTEM and Administrators: icacls /reset: spawnSync icacls.exe ENOENT (did not run).`,
    });
    expect(ran.some(([command]) => command === SCHTASKS)).toBe(false);
  });

  it('runs commands without a shell and reports their exit code and output', () => {
    const run = runCommand;
    expect(run(process.execPath, ['-e', 'process.stdout.write("out;"); process.stderr.write("err"); process.exit(3)'])).toEqual({
      status: 3,
      output: 'out;err',
    });
    expect(run('/nonexistent/schtasks.exe', []).status).toBeNull();
  });

  it('the NSIS include runs --install-machine and, when it fails, shows its message and aborts with exit code 2', () => {
    const nsh = readFileSync(new URL('../../build/installer.nsh', import.meta.url), 'utf8');
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const step = install.slice(install.indexOf('--install-machine'));
    expect(step).toMatch(/^--install-machine "\$PLUGINSDIR\\latchkey-install.txt"'\n\s+Pop \$0\n\s+\$\{If\} \$0 != 0/);
    expect(step).toContain('FileOpen $2 "$PLUGINSDIR\\latchkey-install.txt" r');
    expect(step).toMatch(/MessageBox MB_OK\|MB_ICONSTOP "[^"]*\$1" \/SD IDOK\n\s+SetErrorLevel 2\n\s+Abort /);
    // No task is registered by NSIS itself any more: one tested place does it.
    expect(install).not.toContain('schtasks');
  });
});

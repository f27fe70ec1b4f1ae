import type { InteractiveSession } from './guard-decision.js';

/**
 * The guard's Windows calls, each one command, run as SYSTEM:
 *  - processes:   `tasklist /V /FO CSV /NH` (image, PID, session name, session #, memory, status, user, CPU time, title)
 *  - their paths: PowerShell `Get-CimInstance Win32_Process` for the PIDs named like the lock (only new PIDs)
 *  - restart:     `schtasks /Run /TN "Latchkey\Lock"` (the logon task; it starts for the signed-in users)
 *  - sign out:    `logoff <session id>`
 * The parsing below is plain TypeScript with unit tests; the runner is injected.
 */
export interface ProcessRow {
  image: string;
  pid: number;
  windowsSessionId: number;
  /** DOMAIN\name, or 'N/A'. */
  user: string;
}

export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Rows of `tasklist /V /FO CSV /NH`; lines that do not fit the layout are skipped. */
export function parseTasklist(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const f = csvFields(line.trim());
    if (f.length < 7) continue;
    const pid = Number(f[1]);
    const session = Number(f[3]);
    if (!Number.isInteger(pid) || !Number.isInteger(session)) continue;
    rows.push({ image: f[0]!, pid, windowsSessionId: session, user: f[6]! });
  }
  return rows;
}

/** Accounts Windows itself runs in a user's session (logon screen, window manager, font driver). */
const SYSTEM_ACCOUNT = /(^|\\)(SYSTEM|DWM-\d+|UMFD-\d+)$/i;

/** Sessions other than 0 with a process of a real user: the interactive sessions, with their user. */
export function interactiveSessions(rows: readonly ProcessRow[]): InteractiveSession[] {
  const byId = new Map<number, string>();
  for (const row of rows) {
    if (row.windowsSessionId === 0 || byId.has(row.windowsSessionId)) continue;
    if (!row.user.includes('\\') || SYSTEM_ACCOUNT.test(row.user)) continue;
    byId.set(row.windowsSessionId, row.user);
  }
  return [...byId].map(([windowsSessionId, user]) => ({ windowsSessionId, user })).sort((a, b) => a.windowsSessionId - b.windowsSessionId);
}

/** Sessions where a process of the lock's image runs (case-insensitive, as Windows compares names). */
export function lockSessions(rows: readonly ProcessRow[], lockImage: string): Set<number> {
  const image = lockImage.toLowerCase();
  return new Set(rows.filter((r) => r.windowsSessionId !== 0 && r.image.toLowerCase() === image).map((r) => r.windowsSessionId));
}

/** Lines `<pid>|<path>` (the path empty when Windows does not say) → pid → path. */
export function parseExecutablePaths(text: string): Map<number, string> {
  const paths = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^(\d+)\|(.*)$/.exec(line.trim());
    if (match && match[2]) paths.set(Number(match[1]), match[2]);
  }
  return paths;
}

/** Windows paths compare case-insensitively; `/` and `\` are the same separator. */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\//g, '\\').toLowerCase();
  return norm(a) === norm(b);
}

export const LOCK_TASK_NAME = 'Latchkey\\Lock';

export function windowsCalls(run: CommandRunner, systemRoot: string) {
  const system32 = `${systemRoot}\\System32`;
  return {
    async listProcesses(): Promise<ProcessRow[]> {
      return parseTasklist(await run(`${system32}\\tasklist.exe`, ['/V', '/FO', 'CSV', '/NH']));
    },
    /** The executable of each PID (a process named Latchkey.exe anywhere else is not the lock). */
    async executablePaths(pids: readonly number[]): Promise<Map<number, string>> {
      if (pids.length === 0) return new Map();
      const filter = pids.map((pid) => `ProcessId=${Math.trunc(pid)}`).join(' OR ');
      const script = `Get-CimInstance Win32_Process -Filter '${filter}' | ForEach-Object { '{0}|{1}' -f $_.ProcessId, $_.ExecutablePath }`;
      return parseExecutablePaths(
        await run(`${system32}\\WindowsPowerShell\\v1.0\\powershell.exe`, ['-NoProfile', '-NonInteractive', '-Command', script]),
      );
    },
    async restartLock(): Promise<void> {
      await run(`${system32}\\schtasks.exe`, ['/Run', '/TN', LOCK_TASK_NAME]);
    },
    async signOut(windowsSessionId: number): Promise<void> {
      await run(`${system32}\\logoff.exe`, [String(windowsSessionId)]);
    },
  };
}

/**
 * One lock per OS session (docs/client.md, "One lock per session"). Electron's single-instance
 * lock is scoped to the userData directory, which is per *user*: a user with two sessions (a
 * console session and an RDP session on a multi-session host) would get a lock in the first only,
 * the second instance quitting because the first holds the lock. So the single-instance lock (and
 * Chromium's own profile data, which two running instances may not share) live in a per-session
 * directory under the user's one; the client token stays per user.
 */

/**
 * The name of the directory for this OS session, or undefined when the session cannot be told
 * (then no single-instance guard is taken: two locks in one session beat none in a second one).
 */
export function sessionScopeName(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, windowsSessionId?: number): string | undefined {
  if (platform === 'win32') {
    return windowsSessionId !== undefined && Number.isInteger(windowsSessionId) && windowsSessionId >= 0
      ? `session-${windowsSessionId}`
      : undefined;
  }
  const xdg = env.XDG_SESSION_ID;
  if (xdg && /^[A-Za-z0-9_-]{1,64}$/.test(xdg)) return `session-${xdg}`;
  return undefined;
}

/** The command that prints this process's Windows session id (tasklist ships with every Windows). */
export function tasklistCommand(pid: number): { command: string; args: string[] } {
  return { command: 'tasklist.exe', args: ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH'] };
}

/** Reads "Session#" from tasklist's CSV line: "Latchkey.exe","4242","RDP-Tcp#3","2","81,236 K". */
export function parseTasklistSessionId(output: string, pid: number): number | undefined {
  for (const line of output.split(/\r?\n/)) {
    const fields = [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!);
    if (fields.length >= 4 && fields[1] === String(pid) && /^\d{1,10}$/.test(fields[3]!)) return Number(fields[3]);
  }
  return undefined;
}

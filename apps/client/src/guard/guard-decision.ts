/**
 * The guard's decision, with no OS calls in it: for every interactive Windows session whose user
 * has not unlocked it, the lock must be running; if it is not, it is restarted at once, and a
 * session where it still is not running `restartGraceMs` later is signed out. Fail closed: with no
 * trustworthy answer from the server (`unlockedUsers` undefined), nobody counts as unlocked.
 */
export interface InteractiveSession {
  /** The Windows session id (as `logoff` takes it). */
  windowsSessionId: number;
  /** DOMAIN\name, as the OS reports the session's user. */
  user: string;
}

export interface GuardInput {
  sessions: readonly InteractiveSession[];
  /** Windows session ids with a lock process running. */
  lockRunningIn: ReadonlySet<number>;
  /** Users the server says have unlocked (signed answer checked), normalised with `userKey`; undefined when unknown. */
  unlockedUsers: ReadonlySet<string> | undefined;
  /** Windows session id → when the guard first restarted the lock there without seeing it come up. */
  restarts: ReadonlyMap<number, number>;
  now: number;
  restartGraceMs: number;
}

export type GuardAction =
  { kind: 'restart-lock'; windowsSessionId: number; user: string } | { kind: 'sign-out'; windowsSessionId: number; user: string };

export interface GuardDecision {
  actions: GuardAction[];
  restarts: Map<number, number>;
}

export const DEFAULT_RESTART_GRACE_MS = 20_000;

/** How user names are compared: NFC, case-insensitive (Windows account names are). */
export function userKey(user: string): string {
  return user.normalize('NFC').toLowerCase();
}

export function guardDecision(input: GuardInput): GuardDecision {
  const actions: GuardAction[] = [];
  const restarts = new Map<number, number>();
  for (const session of input.sessions) {
    const id = session.windowsSessionId;
    if (input.lockRunningIn.has(id)) continue;
    if (input.unlockedUsers?.has(userKey(session.user))) continue;
    const since = input.restarts.get(id);
    if (since === undefined) {
      actions.push({ kind: 'restart-lock', windowsSessionId: id, user: session.user });
      restarts.set(id, input.now);
    } else if (input.now - since >= input.restartGraceMs) {
      actions.push({ kind: 'sign-out', windowsSessionId: id, user: session.user });
    } else {
      restarts.set(id, since);
    }
  }
  return { actions, restarts };
}

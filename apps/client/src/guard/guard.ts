import {
  base64UrlToBytes,
  bytesToBase64Url,
  deriveOfflineUserKey,
  routes,
  type ApiClient,
  type HmacSha256,
  type OfflineKey,
} from '@latchkey/contracts';
import { checkUnlockedSessions, newNonce, type Ed25519Verify, type VerdictIdentity } from '../lock/verdict.js';
import { DEFAULT_RESTART_GRACE_MS, guardDecision, userKey, type GuardAction } from './guard-decision.js';
import { interactiveSessions, lockSessions, samePath, type ProcessRow } from './windows-sessions.js';

export interface GuardHost {
  listProcesses(): Promise<ProcessRow[]>;
  executablePaths(pids: readonly number[]): Promise<Map<number, string>>;
  restartLock(): Promise<void>;
  signOut(windowsSessionId: number): Promise<void>;
  /** Writes this user's offline key where only they (and SYSTEM, Administrators) can read it. */
  provideOfflineKey?(osUser: string, key: OfflineKey): Promise<void>;
  log(line: string): void;
}

export interface GuardOptions {
  host: GuardHost;
  /** The guard's own enrolled Client (same computer name as the locks). */
  api: ApiClient;
  identity: () => VerdictIdentity | undefined;
  verify: Ed25519Verify;
  randomBytes: (length: number) => Uint8Array;
  now: () => number;
  /** Full path of the installed lock executable (under Program Files, which users cannot write). */
  lockPath: string;
  restartGraceMs?: number;
  /**
   * On an installer-enrolled computer: the machine's offline key (protected, SYSTEM only), from
   * which each signed-in user gets their own (deriveOfflineUserKey) through `provideOfflineKey`.
   */
  machineOfflineKey?: () => OfflineKey | undefined;
  hmac?: HmacSha256;
}

/**
 * One pass of the guard: look at the sessions, ask the server (only when some session has no
 * lock), decide, act. The server's answer counts only when its signature verifies against the
 * pinned key for this guard's nonce; anything else counts as "nobody unlocked".
 */
export function createGuard(options: GuardOptions) {
  let restarts = new Map<number, number>();
  /** pid → executable path, asked once per process; a pid whose path Windows does not give is asked again. */
  let paths = new Map<number, string>();
  const lockImage = options.lockPath.split(/[\\/]/).pop()!;

  /** The lock's processes: named like it *and* started from its installed path. */
  async function realLocks(rows: readonly ProcessRow[]): Promise<ProcessRow[]> {
    const named = rows.filter((r) => r.windowsSessionId !== 0 && r.image.toLowerCase() === lockImage.toLowerCase());
    const unknown = named.map((r) => r.pid).filter((pid) => !paths.has(pid));
    if (unknown.length > 0) {
      try {
        for (const [pid, path] of await options.host.executablePaths(unknown)) paths.set(pid, path);
      } catch (err) {
        options.host.log(`reading process paths failed: ${(err as Error).message}`);
      }
    }
    paths = new Map(named.filter((r) => paths.has(r.pid)).map((r) => [r.pid, paths.get(r.pid)!]));
    return named.filter((r) => {
      const path = paths.get(r.pid);
      return path !== undefined && samePath(path, options.lockPath);
    });
  }

  async function unlockedUsers(): Promise<Set<string> | undefined> {
    const identity = options.identity();
    if (!identity) return undefined;
    const nonce = newNonce(options.randomBytes);
    try {
      const answer = await options.api(routes.getUnlockedSessions, { query: { nonce } });
      const sessions = await checkUnlockedSessions(answer, { ...identity, nonce, now: options.now() }, options.verify);
      if (!sessions) {
        options.host.log('the unlocked-sessions answer did not verify against the pinned server key; treating every session as locked');
        return undefined;
      }
      return new Set(sessions.map((s) => userKey(s.osUser)));
    } catch {
      return undefined;
    }
  }

  /** user|clientId|version already written in this run of the guard. */
  const provided = new Set<string>();
  async function provideOfflineKeys(users: readonly string[]): Promise<void> {
    const machine = options.machineOfflineKey?.();
    const { hmac } = options;
    if (!machine || !hmac || !options.host.provideOfflineKey) return;
    for (const user of new Set(users)) {
      const tag = `${userKey(user)}|${machine.clientId}|${machine.version}`;
      if (provided.has(tag)) continue;
      try {
        const key = await deriveOfflineUserKey(hmac, base64UrlToBytes(machine.key), machine.clientId, user);
        await options.host.provideOfflineKey(user, { clientId: machine.clientId, version: machine.version, key: bytesToBase64Url(key) });
        provided.add(tag);
      } catch (err) {
        options.host.log(`handing ${user} their offline key failed: ${(err as Error).message}`);
      }
    }
  }

  return {
    async tick(): Promise<GuardAction[]> {
      const rows = await options.host.listProcesses();
      const sessions = interactiveSessions(rows);
      await provideOfflineKeys(sessions.map((s) => s.user));
      const lockRunningIn = lockSessions(await realLocks(rows), lockImage);
      const uncovered = sessions.some((s) => !lockRunningIn.has(s.windowsSessionId));
      const decision = guardDecision({
        sessions,
        lockRunningIn,
        unlockedUsers: uncovered ? await unlockedUsers() : undefined,
        restarts,
        now: options.now(),
        restartGraceMs: options.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS,
      });
      restarts = decision.restarts;
      const signOut = async (windowsSessionId: number) => {
        try {
          await options.host.signOut(windowsSessionId);
        } catch (err) {
          options.host.log(`sign-out of session ${windowsSessionId} failed: ${(err as Error).message}`);
        }
      };
      for (const action of decision.actions) options.host.log(`${action.kind} in session ${action.windowsSessionId} (${action.user})`);
      const restartsNow = decision.actions.filter((a) => a.kind === 'restart-lock');
      if (restartsNow.length > 0) {
        try {
          // One run of the logon task starts the lock for every signed-in user who lacks it.
          await options.host.restartLock();
        } catch (err) {
          // The lock cannot be restarted: sign those sessions out now rather than after the grace.
          options.host.log(`restarting the lock failed: ${(err as Error).message}`);
          for (const action of restartsNow) await signOut(action.windowsSessionId);
        }
      }
      for (const action of decision.actions) if (action.kind === 'sign-out') await signOut(action.windowsSessionId);
      return decision.actions;
    },
  };
}

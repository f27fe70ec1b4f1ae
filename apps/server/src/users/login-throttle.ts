import type { Clock } from '../clock.js';
import { get, run, sql, type Work } from '../db/engine.js';

/** Failures allowed before the backoff starts. */
const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60_000;
/** A login and source without a failure for this long start again from zero. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

/**
 * Where a password was tried: the Management Tool sign-in from an address, or the Client's
 * `internal` method from one enrolled Client. Each pair of login and source has its own count, so
 * failures in one place never lock the login anywhere else.
 */
export type LoginSource = { kind: 'address'; address: string } | { kind: 'client'; clientId: string };

export type LoginThrottleStore = ReturnType<typeof loginThrottleStore>;

const select = sql<[string, string], { failures: number; lastFailedAt: number; lockedUntil: number }>(
  `SELECT failures, last_failed_at AS "lastFailedAt", locked_until AS "lockedUntil"
     FROM login_failures WHERE login_key = ? AND source = ?`,
);
const upsert = sql<[string, string, number, number, number]>(
  `INSERT INTO login_failures (login_key, source, failures, last_failed_at, locked_until) VALUES (?, ?, ?, ?, ?)
   ON CONFLICT (login_key, source) DO UPDATE
     SET failures = excluded.failures, last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until`,
);
const remove = sql<[string, string]>('DELETE FROM login_failures WHERE login_key = ? AND source = ?');
const forgetOld = sql<[number]>('DELETE FROM login_failures WHERE last_failed_at < ?');
const loginKey = (login: string) => login.toLowerCase();
const sourceKey = (source: LoginSource) => (source.kind === 'address' ? `address:${source.address}` : `client:${source.clientId}`);

/**
 * Counts failed sign-ins per login name (existing or not) and source in the database, so a restart
 * does not reset them. After five failures each further one locks that login from that source for
 * twice as long, up to 15 minutes.
 *
 * There is deliberately no ceiling per login across sources: whoever can reach the server could then
 * keep the admin out from everywhere. Guessing from many addresses is slowed by each address's own
 * backoff, the per-address request budget and the scrypt cost of every check, and is audited.
 *
 * The store is written once for both engines (db/engine.ts): each method is work an engine runs.
 * On PostgreSQL the read-then-write of `recordFailure` runs SERIALIZABLE, so failures counted on
 * several nodes at once are each counted.
 */
export function loginThrottleStore(clock: Clock) {
  function* current(login: string, source: LoginSource): Work<{ failures: number; lockedUntil: number } | undefined> {
    const row = yield* get(select, loginKey(login), sourceKey(source));
    // A row left from long ago counts as none (it is deleted at the next failure anywhere).
    return row && row.lastFailedAt >= clock.now() - FORGET_AFTER_MS ? row : undefined;
  }

  return {
    /** Seconds until the next attempt of this login from this source is allowed, or 0. */
    *lockedForSeconds(login: string, source: LoginSource): Work<number> {
      const row = yield* current(login, source);
      if (!row) return 0;
      const left = row.lockedUntil - clock.now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },
    *recordFailure(login: string, source: LoginSource): Work<void> {
      const now = clock.now();
      const failures = ((yield* current(login, source))?.failures ?? 0) + 1;
      const lockMs = failures <= FREE_FAILURES ? 0 : Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
      yield* run(forgetOld, now - FORGET_AFTER_MS);
      yield* run(upsert, loginKey(login), sourceKey(source), failures, now, now + lockMs);
    },
    *recordSuccess(login: string, source: LoginSource): Work<void> {
      yield* run(remove, loginKey(login), sourceKey(source));
    },
  };
}

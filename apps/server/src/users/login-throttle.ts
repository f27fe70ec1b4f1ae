import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';

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

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * Counts failed sign-ins per login name (existing or not) and source in the database, so a restart
 * does not reset them. After five failures each further one locks that login from that source for
 * twice as long, up to 15 minutes.
 *
 * There is deliberately no ceiling per login across sources: whoever can reach the server could then
 * keep the admin out from everywhere. Guessing from many addresses is slowed by each address's own
 * backoff, the per-address request budget and the scrypt cost of every check, and is audited.
 */
export function createLoginThrottle(db: Db, clock: Clock) {
  const select = db.prepare<[string, string], { failures: number; lastFailedAt: number; lockedUntil: number }>(
    `SELECT failures, last_failed_at AS lastFailedAt, locked_until AS lockedUntil
       FROM login_failures WHERE login_key = ? AND source = ?`,
  );
  const upsert = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO login_failures (login_key, source, failures, last_failed_at, locked_until) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (login_key, source) DO UPDATE
       SET failures = excluded.failures, last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until`,
  );
  const remove = db.prepare<[string, string]>('DELETE FROM login_failures WHERE login_key = ? AND source = ?');
  const forgetOld = db.prepare<[number]>('DELETE FROM login_failures WHERE last_failed_at < ?');
  const loginKey = (login: string) => login.toLowerCase();
  const sourceKey = (source: LoginSource) => (source.kind === 'address' ? `address:${source.address}` : `client:${source.clientId}`);

  const current = (login: string, source: LoginSource) => {
    const row = select.get(loginKey(login), sourceKey(source));
    // A row left from long ago counts as none (it is deleted at the next failure anywhere).
    return row && row.lastFailedAt >= clock.now() - FORGET_AFTER_MS ? row : undefined;
  };

  return {
    /** Seconds until the next attempt of this login from this source is allowed, or 0. */
    lockedForSeconds(login: string, source: LoginSource): number {
      const row = current(login, source);
      if (!row) return 0;
      const left = row.lockedUntil - clock.now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },
    recordFailure(login: string, source: LoginSource): void {
      const now = clock.now();
      const failures = (current(login, source)?.failures ?? 0) + 1;
      const lockMs = failures <= FREE_FAILURES ? 0 : Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
      forgetOld.run(now - FORGET_AFTER_MS);
      upsert.run(loginKey(login), sourceKey(source), failures, now, now + lockMs);
    },
    recordSuccess(login: string, source: LoginSource): void {
      remove.run(loginKey(login), sourceKey(source));
    },
  };
}

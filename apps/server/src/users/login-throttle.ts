import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';

/** Failures allowed before the backoff starts. */
const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60_000;

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * Counts failed sign-ins per login name (existing or not) in the database, so a restart does not
 * reset them. After five failures each further one locks the name for twice as long, up to 15 minutes.
 */
export function createLoginThrottle(db: Db, clock: Clock) {
  const select = db.prepare<[string], { failures: number; lockedUntil: number }>(
    'SELECT failures, locked_until AS lockedUntil FROM login_failures WHERE login_key = ?',
  );
  const upsert = db.prepare<[string, number, number]>(
    `INSERT INTO login_failures (login_key, failures, locked_until) VALUES (?, ?, ?)
     ON CONFLICT (login_key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
  );
  const remove = db.prepare<[string]>('DELETE FROM login_failures WHERE login_key = ?');
  const key = (login: string) => login.toLowerCase();

  return {
    /** Seconds until the next attempt is allowed, or 0. */
    lockedForSeconds(login: string): number {
      const row = select.get(key(login));
      if (!row) return 0;
      const left = row.lockedUntil - clock.now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },
    recordFailure(login: string): void {
      const failures = (select.get(key(login))?.failures ?? 0) + 1;
      const lockMs = failures <= FREE_FAILURES ? 0 : Math.min(1000 * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
      upsert.run(key(login), failures, clock.now() + lockMs);
    },
    recordSuccess(login: string): void {
      remove.run(key(login));
    },
  };
}

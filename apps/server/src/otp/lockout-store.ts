import type { Lockout } from '@latchkey/contracts';
import type { Clock } from '../clock.js';
import { all, get, run, sql, type Work } from '../db/engine.js';

/** Consecutive failed verifications that lock a Client and osUser pair until an admin clears it. */
export const VERIFY_LOCK_THRESHOLD = 100;

export type LockoutStore = ReturnType<typeof lockoutStore>;

const list = sql<[], Lockout>(
  `SELECT f.client_id AS "clientId", c.computer_name AS "computerName", f.os_user AS "osUser", f.consecutive AS failures,
          f.locked_at AS "lockedAt"
     FROM verify_failures f JOIN clients c ON c.id = f.client_id
    WHERE f.locked_at IS NOT NULL ORDER BY f.locked_at DESC`,
);
const lockedAt = sql<[string, string], { lockedAt: number | null }>(
  'SELECT locked_at AS "lockedAt" FROM verify_failures WHERE client_id = ? AND os_user = ?',
);
// One statement that counts and locks, so failures counted on several nodes at once are each counted.
const countFailure = sql<{ clientId: string; osUser: string; now: number; threshold: number }, { lockedAt: number | null }>(
  `INSERT INTO verify_failures (client_id, os_user, consecutive, locked_at) VALUES (@clientId, @osUser, 1, NULL)
   ON CONFLICT (client_id, os_user) DO UPDATE
     SET consecutive = verify_failures.consecutive + 1,
         locked_at = coalesce(verify_failures.locked_at, CASE WHEN verify_failures.consecutive + 1 >= @threshold THEN CAST(@now AS BIGINT) END)
   RETURNING locked_at AS "lockedAt"`,
);
const clear = sql<[string, string]>('DELETE FROM verify_failures WHERE client_id = ? AND os_user = ?');

/** Owns `verify_failures`: consecutive failed verifications per Client and osUser, and the lockouts they cause. */
export function lockoutStore(clock: Clock) {
  return {
    *list(): Work<Lockout[]> {
      return yield* all(list);
    },
    *isLocked(clientId: string, osUser: string): Work<boolean> {
      return (yield* get(lockedAt, clientId, osUser))?.lockedAt != null;
    },
    /** Counts one failure; true when this failure is the one that locked the pair. */
    *countFailure(clientId: string, osUser: string): Work<boolean> {
      const now = clock.now();
      const after = yield* get(countFailure, { clientId, osUser, now, threshold: VERIFY_LOCK_THRESHOLD });
      return after?.lockedAt === now;
    },
    /** A success starts the count again. Also how an admin clears a lockout. */
    *clear(clientId: string, osUser: string): Work<boolean> {
      return (yield* run(clear, clientId, osUser)).changes > 0;
    },
  };
}

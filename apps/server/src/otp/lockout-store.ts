import type { Lockout } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';

/** Consecutive failed verifications that lock a Client and osUser pair until an admin clears it. */
export const VERIFY_LOCK_THRESHOLD = 100;

export type LockoutStore = ReturnType<typeof createLockoutStore>;

/** Owns `verify_failures`: consecutive failed verifications per Client and osUser, and the lockouts they cause. */
export function createLockoutStore(db: Db, clock: Clock) {
  const list = db.prepare<[], Lockout>(
    `SELECT f.client_id AS clientId, c.computer_name AS computerName, f.os_user AS osUser, f.consecutive AS failures,
            f.locked_at AS lockedAt
       FROM verify_failures f JOIN clients c ON c.id = f.client_id
      WHERE f.locked_at IS NOT NULL ORDER BY f.locked_at DESC`,
  );
  const lockedAt = db.prepare<[string, string], { lockedAt: number | null }>(
    'SELECT locked_at AS lockedAt FROM verify_failures WHERE client_id = ? AND os_user = ?',
  );
  const countFailure = db.prepare<{ clientId: string; osUser: string; now: number; threshold: number }, { lockedAt: number | null }>(
    `INSERT INTO verify_failures (client_id, os_user, consecutive, locked_at) VALUES (@clientId, @osUser, 1, NULL)
     ON CONFLICT (client_id, os_user) DO UPDATE
       SET consecutive = consecutive + 1,
           locked_at = coalesce(locked_at, CASE WHEN consecutive + 1 >= @threshold THEN @now END)
     RETURNING locked_at AS lockedAt`,
  );
  const clear = db.prepare<[string, string]>('DELETE FROM verify_failures WHERE client_id = ? AND os_user = ?');
  return {
    list: () => list.all(),
    isLocked: (clientId: string, osUser: string): boolean => lockedAt.get(clientId, osUser)?.lockedAt != null,
    /** Counts one failure; true when this failure is the one that locked the pair. */
    countFailure(clientId: string, osUser: string): boolean {
      const now = clock.now();
      const after = countFailure.get({ clientId, osUser, now, threshold: VERIFY_LOCK_THRESHOLD });
      return after?.lockedAt === now;
    },
    /** A success starts the count again. Also how an admin clears a lockout. */
    clear: (clientId: string, osUser: string) => clear.run(clientId, osUser).changes > 0,
  };
}

import type { Lockout } from '@latchkey/contracts';
import type { Db } from '../db/database.js';

export type LockoutStore = ReturnType<typeof createLockoutStore>;

/** The Client and osUser pairs locked after 100 consecutive failed verifications. */
export function createLockoutStore(db: Db) {
  const list = db.prepare<[], Lockout>(
    `SELECT f.client_id AS clientId, c.computer_name AS computerName, f.os_user AS osUser, f.consecutive AS failures,
            f.locked_at AS lockedAt
       FROM verify_failures f JOIN clients c ON c.id = f.client_id
      WHERE f.locked_at IS NOT NULL ORDER BY f.locked_at DESC`,
  );
  const clear = db.prepare<[string, string]>('DELETE FROM verify_failures WHERE client_id = ? AND os_user = ?');
  return {
    list: () => list.all(),
    clear: (clientId: string, osUser: string) => clear.run(clientId, osUser).changes > 0,
  };
}

import type { Db } from '../db/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientRow } from '../clients/client-store.js';
import type { SessionStore } from './session-store.js';

export type SessionRelock = ReturnType<typeof createSessionRelock>;

/** POST /sessions/:id/relock: the session is locked from now on, audited in the same transaction. */
export function createSessionRelock(deps: { db: Db; sessions: SessionStore; audit: AuditLog }) {
  const { db, sessions, audit } = deps;
  return {
    /** null: the answer is 204 whether this call re-locked it or it already was (or had ended). */
    relock: (caller: ClientRow, sessionId: string): null =>
      db
        .transaction(() => {
          if (sessions.relock(caller, sessionId)) {
            audit.record({
              type: 'session.relocked',
              clientId: caller.id,
              computerName: caller.computerName,
              ...(caller.forOsUser === undefined ? {} : { osUser: caller.forOsUser }),
              detail: `session ${sessionId}, reported by the ${caller.forOsUser === undefined ? caller.role : 'per-user'} token`,
            });
          }
          return null;
        })
        .immediate(),
  };
}

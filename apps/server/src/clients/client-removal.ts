import type { AdminClient } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestStore } from '../otp/request-store.js';
import type { ClientStore } from './client-store.js';
import type { SessionStore } from '../sessions/session-store.js';

export type ClientRemoval = ReturnType<typeof createClientRemoval>;

const REMOVED_COMMENT = 'The computer was removed from Latchkey.';

/**
 * Removing a rogue or retired Client, in one transaction: the Client is marked removed (its token and
 * per-user tokens are refused from then on), its pending access requests are denied so no approver
 * issues an OTP to it, its open sessions end (so none stays unlocked for the guard), and the audit
 * event is written with the change.
 */
export function createClientRemoval(deps: {
  db: Db;
  clients: ClientStore;
  requests: RequestStore;
  sessions: SessionStore;
  audit: AuditLog;
}) {
  const { db, clients, requests, sessions, audit } = deps;

  return {
    /** The removed Client as it was, or undefined when there is no live Client with this id. */
    remove: (clientId: string, actor: string): AdminClient | undefined =>
      db
        .transaction(() => {
          const removed = clients.remove(clientId, actor);
          if (!removed) return undefined;
          const denied = requests.denyAllPendingOf(clientId, actor, REMOVED_COMMENT);
          const ended = sessions.endAllOf(clientId);
          audit.record({
            type: 'client.removed',
            actor,
            clientId,
            computerName: removed.computerName,
            detail: `enrolled from ${removed.enrolledFromAddress ?? 'an unrecorded address'}; ${denied.length} pending request(s) denied; ${ended} open session(s) ended`,
          });
          return removed;
        })
        .immediate(),
  };
}

import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AppError } from '../app-error.js';

/**
 * "Use a different email": a Client withdraws its own pending access request, so a mistyped
 * address can be corrected without leaving a second near-identical request for an approver to pick
 * the wrong one of. Only a request still waiting (pending and not lapsed) can be cancelled.
 */
export function createRequestCancel(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  const select = db.prepare<[string], { clientId: string; computerName: string; osUser: string; email: string }>(
    `SELECT r.client_id AS clientId, c.computer_name AS computerName, r.os_user AS osUser, r.email
       FROM otp_requests r JOIN clients c ON c.id = r.client_id WHERE r.id = ?`,
  );
  const cancel = db.prepare<[number, string, number], { id: string }>(
    `UPDATE otp_requests SET status = 'cancelled', decided_at = ?
      WHERE id = ? AND status = 'pending' AND expires_at > ? RETURNING id`,
  );

  return (clientId: string, requestId: string): { requestId: string; email: string } =>
    db
      .transaction(() => {
        const row = select.get(requestId);
        // Another Client's request is answered exactly like a request that does not exist.
        if (!row || row.clientId !== clientId) throw new AppError(404, 'not_found', 'No such request.');
        const now = clock.now();
        if (!cancel.get(now, requestId, now)) throw new AppError(409, 'not_pending', 'This request is no longer waiting for a decision.');
        audit.record({
          type: 'access_request.cancelled',
          clientId,
          computerName: row.computerName,
          osUser: row.osUser,
          email: row.email,
          requestId,
        });
        return { requestId, email: row.email };
      })
      .immediate();
}
export type RequestCancel = ReturnType<typeof createRequestCancel>;

import { all, sql, type Work } from './engine.js';

/**
 * The mail queue's claim for several nodes (issue 20), not yet used by mail/mail-queue.ts: the next
 * session moves it there (mail_queue keeps one store). Today's queue claims in two statements
 * (SELECT the due rows, then UPDATE each), which on one SQLite writer is safe and across nodes is
 * not: two nodes would read the same due rows and both send them.
 *
 * One statement instead, whose lease is `next_attempt_at` itself (as today's CLAIM_LEASE_MS): a
 * claimed row is due again only once its lease has run out, so a node that dies mid-send leaves its
 * mails to another node after the lease (at most one duplicate, never a lost mail).
 * - PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent claimers each take other rows without waiting,
 *   and the outer WHERE checks the row again after any wait, so a row is never claimed twice.
 *   Run it with `write(…, { isolation: 'read-committed' })`: the statement guards itself.
 * - SQLite: the same UPDATE … RETURNING without row locks, which SQLite does not have and one
 *   writer does not need.
 */
export interface ClaimedMail {
  id: number;
  recipient: string;
  kind: string;
  sealedMessage: Buffer;
  attempts: number;
}

const claimDue = sql<[number, number, number, number], ClaimedMail>({
  sqlite: `UPDATE mail_queue SET next_attempt_at = ?
            WHERE id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL AND next_attempt_at <= ?
                          ORDER BY next_attempt_at, id LIMIT ?)
              AND next_attempt_at <= ?
           RETURNING id, recipient, kind, sealed_message AS "sealedMessage", attempts`,
  postgres: `UPDATE mail_queue SET next_attempt_at = ?
              WHERE id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL AND next_attempt_at <= ?
                            ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
                AND sent_at IS NULL AND next_attempt_at <= ?
             RETURNING id, recipient, kind, sealed_message AS "sealedMessage", attempts`,
});

/** Claims up to `limit` due mails until `now + leaseMs`; oldest first. */
export function* claimDueMail(now: number, leaseMs: number, limit: number): Work<ClaimedMail[]> {
  const rows = yield* all(claimDue, now + leaseMs, now, limit, now);
  return rows.sort((a, b) => a.id - b.id);
}

import type { Db } from '../db/database.js';

/**
 * The re-lock allowance (docs/client.md, "Asking again"): a Client that locked an unlocked session
 * again (Windows unlock, remote reconnect, console connect, resume) names that session in its OTP
 * request. The interval does not refuse that request when the session is this Client's own, still
 * open, of the same osUser and email, and has not used its allowance yet; the request then uses it.
 * The OTP it brings starts a new session (with its own allowance) and ends the re-locked one, so
 * each re-lock gets exactly one interval-free OTP and a stolen or replayed session id gets none.
 */
export function createRelockAllowance(db: Db) {
  const unused = db.prepare<{ sessionId: string; clientId: string; osUser: string; email: string }, { id: string }>(
    `SELECT id FROM sessions
      WHERE id = @sessionId AND client_id = @clientId AND os_user = @osUser COLLATE NOCASE AND email = @email COLLATE NOCASE
        AND ended_at IS NULL AND relock_request_id IS NULL`,
  );
  const use = db.prepare<[string, string]>('UPDATE sessions SET relock_request_id = ? WHERE id = ? AND relock_request_id IS NULL');
  const endReplaced = db.prepare<[number, number, string], { id: string }>(
    'UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE relock_request_id = ? AND ended_at IS NULL RETURNING id',
  );

  return {
    /** The session whose allowance this request may use, or undefined (then the interval applies as always). */
    usable(input: { sessionId: string | undefined; clientId: string; osUser: string; email: string }): string | undefined {
      if (!input.sessionId) return undefined;
      return unused.get({ sessionId: input.sessionId, clientId: input.clientId, osUser: input.osUser, email: input.email })?.id;
    },
    /** Inside the transaction that creates the request. */
    use(sessionId: string, requestId: string): void {
      use.run(requestId, sessionId);
    },
    /** Inside the verify transaction: the re-locked session this request's OTP replaces ends now. */
    endReplacedBy(requestId: string, now: number): string | undefined {
      return endReplaced.get(now, now, requestId)?.id;
    },
  };
}

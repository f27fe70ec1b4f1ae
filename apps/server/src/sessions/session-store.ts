import type { AdminSession, AdminSessionVia, ExemptReason, SessionVia } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { AppError } from '../app-error.js';
import { escapeLike } from '../audit/audit-log.js';
import { newId } from '../crypto/tokens.js';
import { actsFor, type ClientRow, type TokenHolder } from '../clients/client-store.js';

interface SessionOwnership {
  osUser: string;
  endedAt: number | null;
  relockedAt: number | null;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** `<osUser> (<email>)`; a session without an email says how it was opened instead. */
function userName(via: AdminSessionVia, osUser: string, email: string): string {
  if (via === 'offline') return `${osUser} (offline unlock)`;
  if (via === 'exempt') return `${osUser} (exempt, no one-time password)`;
  return `${osUser} (${email})`;
}

export function createSessionStore(db: Db, clock: Clock) {
  // Hot path (every heartbeat): the one read, by primary key; the osUser rides along for per-user tokens.
  const owned = db.prepare<[string, string], SessionOwnership>(
    'SELECT os_user AS osUser, ended_at AS endedAt, relocked_at AS relockedAt FROM sessions WHERE id = ? AND client_id = ?',
  );
  // The guard is a Client of its own: it re-locks the sessions of every Client with its computer name.
  const onComputer = db.prepare<[string, string], SessionOwnership>(
    `SELECT s.os_user AS osUser, s.ended_at AS endedAt, s.relocked_at AS relockedAt
       FROM sessions s JOIN clients c ON c.id = s.client_id
      WHERE s.id = ? AND c.computer_name = ? COLLATE NOCASE`,
  );
  const relock = db.prepare<[number, string]>(
    'UPDATE sessions SET relocked_at = ? WHERE id = ? AND ended_at IS NULL AND relocked_at IS NULL',
  );
  const endAllOf = db.prepare<[number, number, string]>(
    'UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE client_id = ? AND ended_at IS NULL',
  );
  const insert = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
     VALUES (@id, @clientId, @requestId, @osUser, @email, @via, @now, @now)`,
  );
  // An exempt session keeps via 'otp' in its row (0140-scope.sql); the list shows it as via 'exempt'.
  const insertExempt = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, exempt_reason, started_at, last_seen_at)
     VALUES (@id, @clientId, NULL, @osUser, '', 'otp', @reason, @now, @now)`,
  );
  const touch = db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE id = ?');
  const end = db.prepare<[number, number, string]>('UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE id = ? AND ended_at IS NULL');
  // The re-lock allowance (docs/client.md, "The interval rule and a re-lock").
  const unusedRelock = db.prepare<{ sessionId: string; clientId: string; osUser: string; email: string }, { id: string }>(
    `SELECT id FROM sessions
      WHERE id = @sessionId AND client_id = @clientId AND os_user = @osUser COLLATE NOCASE AND email = @email COLLATE NOCASE
        AND ended_at IS NULL AND relock_request_id IS NULL`,
  );
  const useRelock = db.prepare<[string, string]>('UPDATE sessions SET relock_request_id = ? WHERE id = ? AND relock_request_id IS NULL');
  const endReplaced = db.prepare<[number, number, string], { id: string }>(
    'UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE relock_request_id = ? AND ended_at IS NULL RETURNING id',
  );
  const list = db.prepare<Record<string, unknown>, Omit<AdminSession, 'userName' | 'exempt'> & { exempt: ExemptReason | null }>(
    `SELECT s.id AS sessionId, s.client_id AS clientId, c.computer_name AS computerName, s.os_user AS osUser, s.email,
            CASE WHEN s.exempt_reason IS NULL THEN s.via ELSE 'exempt' END AS via, s.exempt_reason AS exempt, s.started_at AS startedAt, s.last_seen_at AS lastSeenAt, s.ended_at AS endedAt
       FROM sessions s JOIN clients c ON c.id = s.client_id
      WHERE (@q IS NULL OR c.computer_name LIKE @q ESCAPE '\\' OR s.os_user LIKE @q ESCAPE '\\' OR s.email LIKE @q ESCAPE '\\')
        AND (@active IS NULL OR (s.ended_at IS NULL) = @active)
      ORDER BY s.started_at DESC, s.id
      LIMIT @limit OFFSET @offset`,
  );

  const openOnComputer = db.prepare<[string, number], { sessionId: string; osUser: string; startedAt: number }>(
    `SELECT s.id AS sessionId, s.os_user AS osUser, s.started_at AS startedAt
       FROM sessions s JOIN clients c ON c.id = s.client_id
      WHERE c.computer_name = ? COLLATE NOCASE AND s.ended_at IS NULL AND s.relocked_at IS NULL AND s.last_seen_at >= ?
      ORDER BY s.started_at, s.id`,
  );

  /** This holder's session: its Client's, and with a per-user token that osUser's; otherwise undefined (answered 404). */
  function ownedBy(holder: TokenHolder, sessionId: string): SessionOwnership | undefined {
    const row = owned.get(sessionId, holder.id);
    return row && actsFor(holder, row.osUser) ? row : undefined;
  }

  function requireOwned(holder: TokenHolder, sessionId: string): SessionOwnership {
    const row = ownedBy(holder, sessionId);
    if (!row) throw new AppError(404, 'not_found', 'No such session.');
    return row;
  }

  return {
    /** Opens a session (the lock is lifted); returns its id. */
    start(session: { clientId: string; requestId: string | null; osUser: string; email: string; via: SessionVia }): string {
      const id = newId();
      insert.run({ id, ...session, now: clock.now() });
      return id;
    },
    /** Opens a session the lock-decision left unlocked without an OTP; returns its id. */
    startExempt(session: { clientId: string; osUser: string; reason: ExemptReason }): string {
      const id = newId();
      insertExempt.run({ id, ...session, now: clock.now() });
      return id;
    },
    /**
     * Keeps an unlocked session alive. An ended or re-locked session is never reopened by one: 409
     * `session_ended` (a re-locked session is over as an unlocked one; a new verdict opens a new one).
     */
    heartbeat(holder: TokenHolder, sessionId: string): void {
      const row = requireOwned(holder, sessionId);
      if (row.endedAt !== null) throw new AppError(409, 'session_ended', 'This session has ended.');
      if (row.relockedAt !== null)
        throw new AppError(409, 'session_ended', 'This session was locked again: unlock it with a new one-time password.');
      touch.run(clock.now(), sessionId);
    },
    end(holder: TokenHolder, sessionId: string): boolean {
      requireOwned(holder, sessionId);
      const now = clock.now();
      return end.run(now, now, sessionId).changes === 1;
    },
    /**
     * A re-locked session whose allowance a new OTP request may use: this Client's own, still open,
     * of the same osUser and email, allowance unused. Undefined otherwise.
     */
    unusedRelockAllowance(input: { sessionId: string; clientId: string; osUser: string; email: string }): string | undefined {
      return unusedRelock.get(input)?.id;
    },
    /** Inside the transaction that creates the request. */
    useRelockAllowance(sessionId: string, requestId: string): void {
      useRelock.run(requestId, sessionId);
    },
    /** Inside the verify transaction: the re-locked session whose allowance this request used ends now. */
    endReplacedBy(requestId: string): string | undefined {
      const now = clock.now();
      return endReplaced.get(now, now, requestId)?.id;
    },
    /**
     * Sessions of every Client with this computer name (the lock of each user and the guard enroll
     * separately) that are open and were heard from at or after `seenSince`, oldest first.
     */
    unlockedOn(computerName: string, seenSince: number) {
      return openOnComputer.all(computerName, seenSince);
    },
    /**
     * The session was re-locked: from now on it is locked (heartbeats answer 409, the guard's list
     * leaves it out) until a verify opens a new session. The guard may re-lock any session of its
     * computer; a lock its own Client's (with a per-user token, its osUser's). True when this call
     * re-locked it (false: already re-locked or ended); 404 when it is not the caller's.
     */
    relock(caller: TokenHolder & Pick<ClientRow, 'role' | 'computerName'>, sessionId: string): boolean {
      const row =
        caller.role === 'guard' && caller.forOsUser === undefined
          ? onComputer.get(sessionId, caller.computerName)
          : ownedBy(caller, sessionId);
      if (!row) throw new AppError(404, 'not_found', 'No such session.');
      return relock.run(clock.now(), sessionId).changes === 1;
    },
    /** Ends every open session of a Client (its removal); how many. */
    endAllOf(clientId: string): number {
      const now = clock.now();
      return endAllOf.run(now, now, clientId).changes;
    },
    /** Ends the session when it is this holder's and still open; false otherwise (never an error). */
    endIfOwned(holder: TokenHolder, sessionId: string): boolean {
      const row = ownedBy(holder, sessionId);
      if (!row || row.endedAt !== null) return false;
      const now = clock.now();
      return end.run(now, now, sessionId).changes === 1;
    },
    /** Newest first; `userName` is `<osUser> (<email>)`, or says how a session with no email was opened. */
    list(query: { q?: string; active?: boolean; limit: number; offset: number }): AdminSession[] {
      return list
        .all({
          q: query.q ? `%${escapeLike(query.q)}%` : null,
          active: query.active === undefined ? null : query.active ? 1 : 0,
          limit: query.limit,
          offset: query.offset,
        })
        .map(({ exempt, ...s }) => ({ ...s, userName: userName(s.via, s.osUser, s.email), ...(exempt ? { exempt } : {}) }));
    },
  };
}

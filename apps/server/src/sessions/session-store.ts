import { NOT_RESPONDING_AFTER_MS, type AdminSession, type AdminSessionVia, type ExemptReason, type SessionVia } from '@latchkey/contracts';
import { all, get, run, sql, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import type { Refusal } from '../refusal.js';
import { escapeLike } from '../audit/audit-log.js';
import { newId } from '../crypto/tokens.js';
import { actsFor, type ClientRow, type TokenHolder } from '../clients/client-store.js';

interface SessionOwnership {
  osUser: string;
  endedAt: number | null;
  relockedAt: number | null;
}

export type SessionStore = ReturnType<typeof sessionStore>;

/** `<osUser> (<email>)`; a session without an email says how it was opened instead. */
function userName(via: AdminSessionVia, osUser: string, email: string): string {
  if (via === 'offline') return `${osUser} (offline unlock)`;
  if (via === 'exempt') return `${osUser} (exempt, no one-time password)`;
  return `${osUser} (${email})`;
}

// Hot path (every heartbeat): the one read, by primary key; the osUser rides along for per-user tokens.
const owned = sql<[string, string], SessionOwnership>(
  'SELECT os_user AS "osUser", ended_at AS "endedAt", relocked_at AS "relockedAt" FROM sessions WHERE id = ? AND client_id = ?',
);
// The guard is a Client of its own: it re-locks the sessions of every Client with its computer name.
const onComputer = sql<[string, string], SessionOwnership>({
  sqlite: `SELECT s.os_user AS osUser, s.ended_at AS endedAt, s.relocked_at AS relockedAt
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE s.id = ? AND c.computer_name = ? COLLATE NOCASE`,
  postgres: `SELECT s.os_user AS "osUser", s.ended_at AS "endedAt", s.relocked_at AS "relockedAt"
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE s.id = ? AND lower(c.computer_name) = lower(?)`,
});
const relock = sql<[number, string]>('UPDATE sessions SET relocked_at = ? WHERE id = ? AND ended_at IS NULL AND relocked_at IS NULL');
const endAllOf = sql<[number, number, string]>(
  'UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE client_id = ? AND ended_at IS NULL',
);
const insert = sql<Record<string, unknown>>(
  `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
   VALUES (@id, @clientId, @requestId, @osUser, @email, @via, @now, @now)`,
);
// An exempt session keeps via 'otp' in its row (0140-scope.sql); the list shows it as via 'exempt'.
const insertExempt = sql<Record<string, unknown>>(
  `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, exempt_reason, started_at, last_seen_at)
   VALUES (@id, @clientId, NULL, @osUser, '', 'otp', @reason, @now, @now)`,
);
// Offline unlocks reported by the guard (offline/offline-unlocks.ts): the session starts when the code was used.
const insertOffline = sql<Record<string, unknown>>(
  `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
   VALUES (@id, @clientId, NULL, @osUser, '', 'offline', @startedAt, @now)`,
);
const touch = sql<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE id = ?');
const end = sql<[number, number, string]>('UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE id = ? AND ended_at IS NULL');
// The re-lock allowance (docs/client.md, "The interval rule and a re-lock").
const unusedRelock = sql<{ sessionId: string; clientId: string; osUser: string; email: string }, { id: string }>({
  sqlite: `SELECT id FROM sessions
    WHERE id = @sessionId AND client_id = @clientId AND os_user = @osUser COLLATE NOCASE AND email = @email COLLATE NOCASE
      AND ended_at IS NULL AND relock_request_id IS NULL`,
  // os_user and email are citext there: compared without case.
  postgres: `SELECT id FROM sessions
    WHERE id = @sessionId AND client_id = @clientId AND os_user = @osUser AND email = @email
      AND ended_at IS NULL AND relock_request_id IS NULL`,
});
const useRelock = sql<[string, string]>('UPDATE sessions SET relock_request_id = ? WHERE id = ? AND relock_request_id IS NULL');
const endReplaced = sql<[number, number, string], { id: string }>(
  'UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE relock_request_id = ? AND ended_at IS NULL RETURNING id',
);
const SESSION_LIST_COLUMNS = `s.id AS "sessionId", s.client_id AS "clientId", c.computer_name AS "computerName", s.os_user AS "osUser", s.email,
          CASE WHEN s.exempt_reason IS NULL THEN s.via ELSE 'exempt' END AS via, s.exempt_reason AS exempt, s.started_at AS "startedAt",
          s.last_seen_at AS "lastSeenAt", s.ended_at AS "endedAt"`;
const list = sql<Record<string, unknown>, Omit<AdminSession, 'userName' | 'exempt'> & { exempt: ExemptReason | null }>({
  sqlite: `SELECT ${SESSION_LIST_COLUMNS}
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE (@q IS NULL OR c.computer_name LIKE @q ESCAPE '\\' OR s.os_user LIKE @q ESCAPE '\\' OR s.email LIKE @q ESCAPE '\\')
      AND (@active IS NULL OR (s.ended_at IS NULL) = @active)
    ORDER BY s.started_at DESC, s.id
    LIMIT @limit OFFSET @offset`,
  postgres: `SELECT ${SESSION_LIST_COLUMNS}
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE (@q::text IS NULL OR c.computer_name ILIKE @q::text ESCAPE '\\' OR s.os_user ILIKE @q::text ESCAPE '\\' OR s.email ILIKE @q::text ESCAPE '\\')
      AND (@active::integer IS NULL OR (s.ended_at IS NULL) = (@active::integer = 1))
    ORDER BY s.started_at DESC, s.id
    LIMIT @limit OFFSET @offset`,
});
const openOnComputer = sql<[string, number], { sessionId: string; osUser: string; startedAt: number }>({
  sqlite: `SELECT s.id AS sessionId, s.os_user AS osUser, s.started_at AS startedAt
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE c.computer_name = ? COLLATE NOCASE AND s.ended_at IS NULL AND s.relocked_at IS NULL AND s.last_seen_at >= ?
    ORDER BY s.started_at, s.id`,
  postgres: `SELECT s.id AS "sessionId", s.os_user AS "osUser", s.started_at AS "startedAt"
     FROM sessions s JOIN clients c ON c.id = s.client_id
    WHERE lower(c.computer_name) = lower(?) AND s.ended_at IS NULL AND s.relocked_at IS NULL AND s.last_seen_at >= ?
    ORDER BY s.started_at, s.id`,
});

const NO_SESSION = { refused: 'not_found', what: 'session' } as const satisfies Refusal;

/** The one writer of `sessions`. Returns values; a refusal says why (routes map it to HTTP). */
export function sessionStore(clock: Clock) {
  /** This holder's session: its Client's, and with a per-user token that osUser's; otherwise undefined (answered 404). */
  function* ownedBy(holder: TokenHolder, sessionId: string): Work<SessionOwnership | undefined> {
    const row = yield* get(owned, sessionId, holder.id);
    return row && actsFor(holder, row.osUser) ? row : undefined;
  }

  return {
    /** Opens a session (the lock is lifted); returns its id. */
    *start(session: { clientId: string; requestId: string | null; osUser: string; email: string; via: SessionVia }): Work<string> {
      const id = newId();
      yield* run(insert, { id, ...session, now: clock.now() });
      return id;
    },
    /** Opens a session the lock-decision left unlocked without an OTP; returns its id. */
    *startExempt(session: { clientId: string; osUser: string; reason: ExemptReason }): Work<string> {
      const id = newId();
      yield* run(insertExempt, { id, ...session, now: clock.now() });
      return id;
    },
    /** Opens a session the guard unlocked with an offline code, from when the code was used; returns its id. */
    *startOffline(session: { clientId: string; osUser: string; startedAt: number }): Work<string> {
      const id = newId();
      yield* run(insertOffline, { id, ...session, now: clock.now() });
      return id;
    },
    /**
     * Keeps an unlocked session alive. An ended or re-locked session is never reopened by one:
     * `session_ended` (a re-locked session is over as an unlocked one; a new verdict opens a new one).
     */
    *heartbeat(holder: TokenHolder, sessionId: string): Work<Refusal | undefined> {
      const row = yield* ownedBy(holder, sessionId);
      if (!row) return NO_SESSION;
      if (row.endedAt !== null || row.relockedAt !== null) return { refused: 'session_ended', relocked: row.endedAt === null };
      yield* run(touch, clock.now(), sessionId);
      return undefined;
    },
    /** Ends this holder's session: true when this call ended it, false when it had ended already. */
    *end(holder: TokenHolder, sessionId: string): Work<boolean | Refusal> {
      if (!(yield* ownedBy(holder, sessionId))) return NO_SESSION;
      const now = clock.now();
      return (yield* run(end, now, now, sessionId)).changes === 1;
    },
    /**
     * A re-locked session whose allowance a new OTP request may use: this Client's own, still open,
     * of the same osUser and email, allowance unused. Undefined otherwise.
     */
    *unusedRelockAllowance(input: { sessionId: string; clientId: string; osUser: string; email: string }): Work<string | undefined> {
      return (yield* get(unusedRelock, input))?.id;
    },
    /** Inside the transaction that creates the request. */
    *useRelockAllowance(sessionId: string, requestId: string): Work<void> {
      yield* run(useRelock, requestId, sessionId);
    },
    /** Inside the verify transaction: the re-locked session whose allowance this request used ends now. */
    *endReplacedBy(requestId: string): Work<string | undefined> {
      const now = clock.now();
      return (yield* get(endReplaced, now, now, requestId))?.id;
    },
    /**
     * Sessions of every Client with this computer name (the lock of each user and the guard enroll
     * separately) that are open and were heard from at or after `seenSince`, oldest first.
     */
    *unlockedOn(computerName: string, seenSince: number): Work<{ sessionId: string; osUser: string; startedAt: number }[]> {
      return yield* all(openOnComputer, computerName, seenSince);
    },
    /**
     * The session was re-locked: from now on it is locked (heartbeats answer 409, the guard's list
     * leaves it out) until a verify opens a new session. The guard may re-lock any session of its
     * computer; a lock its own Client's (with a per-user token, its osUser's). True when this call
     * re-locked it (false: already re-locked or ended); not found when it is not the caller's.
     */
    *relock(caller: TokenHolder & Pick<ClientRow, 'role' | 'computerName'>, sessionId: string): Work<boolean | Refusal> {
      const row =
        caller.role === 'guard' && caller.forOsUser === undefined
          ? yield* get(onComputer, sessionId, caller.computerName)
          : yield* ownedBy(caller, sessionId);
      if (!row) return NO_SESSION;
      return (yield* run(relock, clock.now(), sessionId)).changes === 1;
    },
    /** Ends every open session of a Client (its removal); how many. */
    *endAllOf(clientId: string): Work<number> {
      const now = clock.now();
      return (yield* run(endAllOf, now, now, clientId)).changes;
    },
    /** Ends the session when it is this holder's and still open; false otherwise (never an error). */
    *endIfOwned(holder: TokenHolder, sessionId: string): Work<boolean> {
      const row = yield* ownedBy(holder, sessionId);
      if (!row || row.endedAt !== null) return false;
      const now = clock.now();
      return (yield* run(end, now, now, sessionId)).changes === 1;
    },
    /**
     * Newest first; `userName` is `<osUser> (<email>)`, or says how a session with no email was opened;
     * `state` is `not_responding` once an open session's Client has missed 3 heartbeats.
     */
    *list(query: { q?: string; active?: boolean; limit: number; offset: number }): Work<AdminSession[]> {
      const rows = yield* all(list, {
        q: query.q ? `%${escapeLike(query.q)}%` : null,
        active: query.active === undefined ? null : query.active ? 1 : 0,
        limit: query.limit,
        offset: query.offset,
      });
      const now = clock.now();
      return rows.map(({ exempt, ...s }) => ({
        ...s,
        userName: userName(s.via, s.osUser, s.email),
        state: s.endedAt !== null ? 'ended' : now - s.lastSeenAt > NOT_RESPONDING_AFTER_MS ? 'not_responding' : 'active',
        ...(exempt ? { exempt } : {}),
      }));
    },
  };
}

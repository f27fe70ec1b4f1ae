import { SEEN_OS_USERS_MAX, type RequestStatus, type SeenOsUser } from '@latchkey/contracts';
import type { AccessRequestRow } from './approver-context.js';
import { all, get, run, sql, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { newId } from '../crypto/tokens.js';

export type StoredMethod = 'directory' | 'internal' | 'email' | 'emergency' | 'generated';
type StoredStatus = 'pending' | 'sent' | 'denied' | 'used' | 'superseded' | 'burnt' | 'cancelled';

export interface RequestRow {
  id: string;
  clientId: string;
  computerName: string;
  osUser: string;
  email: string;
  method: StoredMethod;
  reason: string | null;
  /** The effective status: a pending request or an issued OTP that is no longer valid reads as `expired`. */
  status: RequestStatus;
  storedStatus: StoredStatus;
  createdAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
  otpSealed: Buffer | null;
  /** The language the lock asked in (`en`, `de`, `fr`, `es`); null: English. Every mail about the request speaks it. */
  locale: string | null;
  failedAttempts: number;
}

/**
 * The one place that says whether a request is still valid: not past its time and, once issued, not
 * burnt by wrong codes. Every statement below uses it; it expects @now and @maxAttempts.
 */
const STILL_VALID = `(r.expires_at > @now AND (r.status <> 'sent' OR r.failed_attempts < @maxAttempts))`;
/**
 * Expiry is not stored: it is computed from STILL_VALID. Burning is stored when it happens; an OTP
 * with more failures than a lowered maxVerifyAttempts reads as burnt too.
 */
const STATUS = `CASE WHEN r.status = 'sent' AND r.failed_attempts >= @maxAttempts THEN 'burnt'
  WHEN r.status IN ('pending', 'sent') AND NOT ${STILL_VALID} THEN 'expired' ELSE r.status END`;

const ACCESS_REQUEST_COLUMNS = `r.id AS "requestId", r.client_id AS "clientId", c.computer_name AS "computerName", r.os_user AS "osUser",
       r.email, CASE r.method WHEN 'generated' THEN 'email' ELSE r.method END AS method, r.reason, ${STATUS} AS status,
       r.created_at AS "createdAt", r.expires_at AS "expiresAt", r.decided_by AS "decidedBy", r.decided_at AS "decidedAt", r.comment`;

export type RequestStore = ReturnType<typeof requestStore>;

const selectById = sql<Record<string, unknown>, RequestRow>(
  `SELECT r.id, r.client_id AS "clientId", c.computer_name AS "computerName", r.os_user AS "osUser", r.email, r.method,
          r.reason, ${STATUS} AS status, r.status AS "storedStatus", r.created_at AS "createdAt", r.expires_at AS "expiresAt",
          r.decided_by AS "decidedBy", r.decided_at AS "decidedAt", r.comment, r.otp_sealed AS "otpSealed", r.locale,
          r.failed_attempts AS "failedAttempts"
     FROM otp_requests r JOIN clients c ON c.id = r.client_id
    WHERE r.id = @id`,
);
const clientIdOf = sql<[string], { clientId: string }>('SELECT client_id AS "clientId" FROM otp_requests WHERE id = ?');
const selectOpenPending = sql<Record<string, unknown>, { id: string }>(
  `SELECT r.id FROM otp_requests r
    WHERE r.client_id = @clientId AND r.os_user = @osUser AND r.email = @email AND r.status = 'pending' AND ${STILL_VALID}
    ORDER BY r.created_at DESC LIMIT 1`,
);
const insert = sql<Record<string, unknown>>(
  `INSERT INTO otp_requests (id, client_id, os_user, email, method, reason, status, created_at, expires_at, comment, decided_by, decided_at, locale)
   VALUES (@id, @clientId, @osUser, @email, @method, @reason, 'pending', @now, @expiresAt, @comment, @decidedBy, @decidedAt, @locale)`,
);
const setIssued = sql<Record<string, unknown>>(
  `UPDATE otp_requests
      SET status = 'sent', otp_hash = @otpHash, otp_sealed = @otpSealed, issued_at = @now, expires_at = @expiresAt,
          decided_by = coalesce(@decidedBy, decided_by), decided_at = coalesce(@decidedAt, decided_at),
          comment = coalesce(@comment, comment)
    WHERE id = @id`,
);
const setDenied = sql<Record<string, unknown>>(
  `UPDATE otp_requests AS r SET status = 'denied', decided_by = @actor, decided_at = @now, comment = @comment
    WHERE r.id = @id AND r.status = 'pending' AND ${STILL_VALID}`,
);
const denyPendingOfClient = sql<Record<string, unknown>, { id: string }>(
  `UPDATE otp_requests SET status = 'denied', decided_by = @actor, decided_at = @now, comment = @comment
    WHERE client_id = @clientId AND status = 'pending'
    RETURNING id`,
);
// Pending (withdrawn before anyone decided) or sent (mailed to a wrong address): either stops here.
const setCancelled = sql<Record<string, unknown>>(
  `UPDATE otp_requests AS r SET status = 'cancelled', decided_at = @now
    WHERE r.id = @id AND r.status IN ('pending', 'sent') AND ${STILL_VALID}`,
);
// A sent OTP this Client and osUser cancelled, whose waiver is unused, and that is the OTP the
// Client's interval runs from (nothing was issued to the Client after it).
const selectIntervalWaiver = sql<Record<string, unknown>, { id: string }>(
  `SELECT r.id FROM otp_requests r JOIN clients c ON c.id = r.client_id
    WHERE r.client_id = @clientId AND r.os_user = @osUser AND r.status = 'cancelled' AND r.issued_at IS NOT NULL
      AND r.interval_waived_for IS NULL AND r.issued_at >= c.last_otp_issued_at
    ORDER BY r.created_at DESC LIMIT 1`,
);
const useIntervalWaiver = sql<Record<string, unknown>>(
  'UPDATE otp_requests SET interval_waived_for = @requestId WHERE id = @id AND interval_waived_for IS NULL',
);
const recentAccessRequestIds = sql<Record<string, unknown>, { id: string }>(
  `SELECT r.id FROM otp_requests r WHERE r.method IN ('email', 'emergency') ORDER BY r.created_at DESC LIMIT @limit`,
);
const selectLive = sql<Record<string, unknown>, { id: string; otpHash: Buffer; method: StoredMethod }>(
  `SELECT r.id, r.otp_hash AS "otpHash", r.method FROM otp_requests r
    WHERE r.client_id = @clientId AND r.os_user = @osUser AND r.email = @email AND r.status = 'sent' AND ${STILL_VALID}`,
);
// The one statement that turns a live OTP into a used one: whoever runs it second gets no row (on
// PostgreSQL the second waits for the first's row lock and then finds the row used: on any node).
const consume = sql<Record<string, unknown>, { id: string }>(
  `UPDATE otp_requests AS r SET status = 'used', used_at = @now
    WHERE r.id = @id AND r.status = 'sent' AND r.used_at IS NULL AND ${STILL_VALID}
    RETURNING id`,
);
// Burning is recorded when it happens, so raising maxVerifyAttempts later never revives the OTP.
const countFailedAttempt = sql<Record<string, unknown>, { status: StoredStatus }>(
  `UPDATE otp_requests
      SET failed_attempts = failed_attempts + 1,
          status = CASE WHEN status = 'sent' AND failed_attempts + 1 >= @maxAttempts THEN 'burnt' ELSE status END
    WHERE id = @id
    RETURNING status`,
);
const supersede = sql<Record<string, unknown>, { id: string }>(
  `UPDATE otp_requests AS r SET status = 'superseded'
    WHERE r.client_id = @clientId AND r.os_user = @osUser AND r.status = 'pending' AND ${STILL_VALID}
      AND r.method IN ('email', 'emergency')
    RETURNING id`,
);
const countOpen = sql<Record<string, unknown>, { n: number }>(
  `SELECT count(*) AS n FROM otp_requests r
    WHERE r.client_id = @clientId AND r.os_user <> @exceptOsUser AND r.status = 'pending' AND ${STILL_VALID}
      AND r.method IN ('email', 'emergency')`,
);
const lastIssued = sql<Record<string, unknown>, { at: number | null }>(
  'SELECT max(issued_at) AS at FROM otp_requests WHERE client_id = @clientId AND os_user = @osUser',
);
const countResend = sql<Record<string, unknown>, { id: string }>(
  'UPDATE otp_requests SET resend_count = resend_count + 1 WHERE id = @id AND resend_count < @limit RETURNING id',
);
const selectAccessRequest = sql<Record<string, unknown>, AccessRequestRow>(
  `SELECT ${ACCESS_REQUEST_COLUMNS} FROM otp_requests r JOIN clients c ON c.id = r.client_id WHERE r.id = @id`,
);
const list = sql<Record<string, unknown>, AccessRequestRow>({
  sqlite: `SELECT * FROM (
     SELECT ${ACCESS_REQUEST_COLUMNS}
       FROM otp_requests r JOIN clients c ON c.id = r.client_id
      WHERE r.method IN ('email', 'emergency')
      ORDER BY r.created_at DESC)
    WHERE @status IS NULL OR status = @status
    LIMIT @limit`,
  postgres: `SELECT * FROM (
     SELECT ${ACCESS_REQUEST_COLUMNS}
       FROM otp_requests r JOIN clients c ON c.id = r.client_id
      WHERE r.method IN ('email', 'emergency')) listed
    WHERE @status::text IS NULL OR status = @status::text
    ORDER BY "createdAt" DESC
    LIMIT @limit`,
});
const listPending = sql<Record<string, unknown>, AccessRequestRow>(
  `SELECT ${ACCESS_REQUEST_COLUMNS}
     FROM otp_requests r JOIN clients c ON c.id = r.client_id
    WHERE r.status = 'pending' AND ${STILL_VALID} AND r.method IN ('email', 'emergency')
    ORDER BY r.created_at DESC
    LIMIT @limit`,
);

// The totals beside the lists. A status reads from at most two stored ones (see STATUS), so its
// count walks the otp_requests_by_status index; only the unfiltered total counts every request.
const countByStatus = sql<Record<string, unknown>, { n: number }>(
  `SELECT count(*) AS n FROM otp_requests r JOIN clients c ON c.id = r.client_id
    WHERE r.status IN (@stored, @storedToo) AND r.method IN ('email', 'emergency') AND ${STATUS} = @status`,
);
const countAll = sql<[], { n: number }>(
  `SELECT count(*) AS n FROM otp_requests r JOIN clients c ON c.id = r.client_id WHERE r.method IN ('email', 'emergency')`,
);
/** The stored statuses a request must have to read as `status`. */
const storedAs = (status: RequestStatus): [string, string] =>
  status === 'expired' ? ['pending', 'sent'] : status === 'burnt' ? ['burnt', 'sent'] : [status, status];

// Read from the requests, not the sessions: every online session starts from a used request, and
// an index on sessions would cost every verify a random page write (session inserts a quarter
// slower with a 1M-row history); otp_requests_by_os_user is written when a request is made, not when it is used.
const emailsOf = sql<[string], { email: string }>({
  sqlite: `SELECT email FROM otp_requests WHERE os_user = ? COLLATE NOCASE AND status = 'used'
    GROUP BY lower(email) ORDER BY max(used_at) DESC LIMIT 20`,
  // os_user is citext there: compared without case.
  postgres: `SELECT email FROM (
      SELECT DISTINCT ON (lower(email)) email, used_at FROM otp_requests WHERE os_user = ? AND status = 'used'
       ORDER BY lower(email), used_at DESC) latest
    ORDER BY used_at DESC LIMIT 20`,
});
// Only names the Client itself reported: what a person typed into Generate Password counts once a
// Client verified it (the osUser of a used OTP is the one the Client sent).
const seenOsUsers = sql<[string, number], SeenOsUser>({
  sqlite: `SELECT os_user AS osUser, max(coalesce(used_at, created_at)) AS lastSeenAt FROM otp_requests
    WHERE client_id = ? AND (method <> 'generated' OR status = 'used')
    GROUP BY os_user COLLATE NOCASE ORDER BY lastSeenAt DESC, osUser LIMIT ?`,
  postgres: `SELECT min(os_user::text) AS "osUser", max(coalesce(used_at, created_at)) AS "lastSeenAt" FROM otp_requests
    WHERE client_id = ? AND (method <> 'generated' OR status = 'used')
    GROUP BY os_user ORDER BY "lastSeenAt" DESC, "osUser" LIMIT ?`,
});

/** Owns every statement on `otp_requests`. Returns values; deciding what a refusal means is the caller's. */
export function requestStore(clock: Clock, settings: SettingsStore) {
  const at = () => ({ now: clock.now(), maxAttempts: settings.get().maxVerifyAttempts });
  const expirationMs = () => settings.get().accessRequestExpirationMinutes * 60_000;

  return {
    *get(id: string): Work<RequestRow | undefined> {
      return yield* get(selectById, { ...at(), id });
    },

    /** The Client a request belongs to. */
    *clientIdOf(id: string): Work<string | undefined> {
      return (yield* get(clientIdOf, id))?.clientId;
    },

    /** The still-valid pending request of this Client, osUser and email, if any. */
    *openPending(clientId: string, osUser: string, email: string): Work<string | undefined> {
      return (yield* get(selectOpenPending, { ...at(), clientId, osUser, email }))?.id;
    },

    /** A new pending request; it lapses after the access request expiration. Returns its id. */
    *insert(fields: {
      clientId: string;
      osUser: string;
      email: string;
      method: StoredMethod;
      reason?: string | null;
      comment?: string | null;
      decidedBy?: string | null;
      locale?: string | null;
    }): Work<string> {
      const id = newId();
      const now = clock.now();
      yield* run(insert, {
        id,
        clientId: fields.clientId,
        osUser: fields.osUser,
        email: fields.email,
        method: fields.method,
        reason: fields.reason ?? null,
        locale: fields.locale ?? null,
        now,
        expiresAt: now + expirationMs(),
        comment: fields.comment ?? null,
        decidedBy: fields.decidedBy ?? null,
        decidedAt: fields.decidedBy ? now : null,
      });
      return id;
    },

    /** Stores an OTP issued at `now` (its HMAC and sealed copy) and, for an approval, the decision. Returns its expiry. */
    *markIssued(
      id: string,
      otp: { hash: Buffer; sealed: Buffer },
      decision: { by: string; comment: string | null } | undefined,
      now: number,
    ): Work<number> {
      const expiresAt = now + expirationMs();
      yield* run(setIssued, {
        id,
        otpHash: otp.hash,
        otpSealed: otp.sealed,
        now,
        expiresAt,
        decidedBy: decision?.by ?? null,
        decidedAt: decision ? now : null,
        comment: decision?.comment ?? null,
      });
      return expiresAt;
    },

    /** Denies a still-valid pending request; false when it was no longer pending. */
    *markDenied(id: string, actor: string, comment: string | null): Work<boolean> {
      return (yield* run(setDenied, { ...at(), id, actor, comment })).changes === 1;
    },

    /** Denies every pending request of a Client (it is being removed); the ids denied. */
    *denyAllPendingOf(clientId: string, actor: string, comment: string): Work<string[]> {
      return (yield* all(denyPendingOfClient, { now: clock.now(), clientId, actor, comment })).map((r) => r.id);
    },

    /**
     * The Client withdraws a still-valid pending request ("Use a different email") or sent OTP
     * ("Wrong address?"); false when it was neither any more.
     */
    *markCancelled(id: string): Work<boolean> {
      return (yield* run(setCancelled, { ...at(), id })).changes === 1;
    },

    /** The cancelled OTP whose waiver a new request of this Client and osUser may use instead of waiting out the interval. */
    *intervalWaiver(clientId: string, osUser: string): Work<string | undefined> {
      return (yield* get(selectIntervalWaiver, { clientId, osUser }))?.id;
    },

    /** Inside the transaction that creates `requestId`: the cancelled OTP `id`'s waiver is used. */
    *useIntervalWaiver(id: string, requestId: string): Work<void> {
      yield* run(useIntervalWaiver, { id, requestId });
    },

    /** The ids of the newest `limit` access requests (a request reference is searched among them). */
    *recentAccessRequestIds(limit: number): Work<string[]> {
      return (yield* all(recentAccessRequestIds, { limit })).map((r) => r.id);
    },

    /** The issued, still-valid OTPs of this Client, osUser and email. */
    *liveOtps(clientId: string, osUser: string, email: string): Work<{ id: string; otpHash: Buffer; method: StoredMethod }[]> {
      return yield* all(selectLive, { ...at(), clientId, osUser, email });
    },

    /** Marks a live OTP used; false when another verification used it first or it is no longer valid. */
    *consume(id: string): Work<boolean> {
      return (yield* get(consume, { ...at(), id })) !== undefined;
    },

    /** Marks the still-valid pending access requests of this Client and osUser superseded; returns their ids. */
    *supersedePending(clientId: string, osUser: string): Work<string[]> {
      return (yield* all(supersede, { ...at(), clientId, osUser })).map((r) => r.id);
    },

    /** When this Client last issued an OTP for this osUser (per-osUser interval of a shared computer). */
    *lastIssuedAt(clientId: string, osUser: string): Work<number | null> {
      return (yield* get(lastIssued, { clientId, osUser }))?.at ?? null;
    },
    /** Still-valid pending access requests of this Client for other osUsers. */
    *countOpen(clientId: string, exceptOsUser: string): Work<number> {
      return (yield* get(countOpen, { ...at(), clientId, exceptOsUser }))!.n;
    },

    /** Counts one resend of an issued OTP unless it was resent `limit` times already; false then. */
    *countResend(id: string, limit: number): Work<boolean> {
      return (yield* get(countResend, { id, limit })) !== undefined;
    },

    /** Counts a wrong code against an issued OTP; true when this one burnt it. */
    *countFailedAttempt(id: string): Work<boolean> {
      return (yield* get(countFailedAttempt, { ...at(), id }))?.status === 'burnt';
    },

    /** The emails this osUser unlocked with before (used OTPs), most recent first. */
    *emailsVerifiedBy(osUser: string): Work<string[]> {
      return (yield* all(emailsOf, osUser)).map((r) => r.email);
    },

    /** The osUsers this Client reported in its requests and unlocks, most recent first. */
    *osUsersSeen(clientId: string): Work<SeenOsUser[]> {
      return yield* all(seenOsUsers, clientId, SEEN_OS_USERS_MAX);
    },

    *getAccessRequest(id: string): Work<AccessRequestRow | undefined> {
      return yield* get(selectAccessRequest, { ...at(), id });
    },

    *listAccessRequests(query: { status?: RequestStatus; limit: number }): Work<AccessRequestRow[]> {
      if (query.status === 'pending') return yield* all(listPending, { ...at(), limit: query.limit });
      return yield* all(list, { ...at(), status: query.status ?? null, limit: query.limit });
    },

    /** How many access requests `listAccessRequests` would list without its limit. */
    *countAccessRequests(query: { status?: RequestStatus }): Work<number> {
      if (!query.status) return (yield* get(countAll))!.n;
      const [stored, storedToo] = storedAs(query.status);
      return (yield* get(countByStatus, { ...at(), status: query.status, stored, storedToo }))!.n;
    },
  };
}

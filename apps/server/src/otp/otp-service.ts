import type { AccessRequest, AuditEventType, OtpRequestState, RequestStatus, SessionVia } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { ServerKeys } from '../crypto/secret-key.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { MailQueue } from '../mail/mail-queue.js';
import type { ClientRow } from '../clients/client-store.js';
import { AppError } from '../app-error.js';
import { newId } from '../crypto/tokens.js';
import { seal, unseal } from '../crypto/seal.js';
import { generateOtp, hashOtp, otpMatches } from './otp-code.js';
import { EFFECTIVE_STATUS_SQL, effectiveStatus } from './request-status.js';
import { deniedMail, otpMail, pendingRequestMail } from '../mail/mail-templates.js';

/** Consecutive failed verifications that lock a Client and osUser pair until an admin clears it. */
export const VERIFY_LOCK_THRESHOLD = 100;

type StoredMethod = 'directory' | 'internal' | 'email' | 'emergency' | 'generated';

interface RequestRow {
  id: string;
  clientId: string;
  computerName: string;
  osUser: string;
  email: string;
  method: StoredMethod;
  reason: string | null;
  status: 'pending' | 'sent' | 'denied' | 'used';
  createdAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
  otpSealed: Buffer | null;
  failedAttempts: number;
}

export type VerifyOutcome =
  { allowed: true; sessionId: string; requestId: string; via: SessionVia } | { allowed: false; reason: FailureReason };

type FailureReason = 'otp_not_allowed' | 'locked' | 'no_match' | 'lost_race';
const FAILURE_DETAIL: Record<FailureReason, string> = {
  otp_not_allowed: 'one-time passwords are not allowed on this computer',
  locked: 'user locked after repeated failures',
  no_match: 'no live one-time password matched',
  lost_race: 'the one-time password was used by a concurrent verification',
};

export type OtpService = ReturnType<typeof createOtpService>;

export function createOtpService(deps: {
  db: Db;
  clock: Clock;
  keys: ServerKeys;
  settings: SettingsStore;
  audit: AuditLog;
  mail: MailQueue;
  staffEmails: () => string[];
  consoleUrl: string;
}) {
  const { db, clock, keys, settings, audit, mail } = deps;

  const selectRequest = db.prepare<[string], RequestRow>(
    `SELECT r.id, r.client_id AS clientId, c.computer_name AS computerName, r.os_user AS osUser, r.email, r.method,
            r.reason, r.status, r.created_at AS createdAt, r.expires_at AS expiresAt, r.decided_by AS decidedBy,
            r.decided_at AS decidedAt, r.comment, r.otp_sealed AS otpSealed, r.failed_attempts AS failedAttempts
       FROM otp_requests r JOIN clients c ON c.id = r.client_id
      WHERE r.id = ?`,
  );
  const selectOpenPending = db.prepare<[string, string, string, number], { id: string }>(
    `SELECT id FROM otp_requests
      WHERE client_id = ? AND os_user = ? AND email = ? AND status = 'pending' AND expires_at > ?
      ORDER BY created_at DESC LIMIT 1`,
  );
  const insertRequest = db.prepare(
    `INSERT INTO otp_requests (id, client_id, os_user, email, method, reason, status, created_at, expires_at, comment, decided_by, decided_at)
     VALUES (@id, @clientId, @osUser, @email, @method, @reason, @status, @createdAt, @expiresAt, @comment, @decidedBy, @decidedAt)`,
  );
  const storeIssued = db.prepare(
    `UPDATE otp_requests
        SET status = 'sent', otp_hash = @otpHash, otp_sealed = @otpSealed, issued_at = @now, expires_at = @expiresAt,
            decided_by = coalesce(@decidedBy, decided_by), decided_at = coalesce(@decidedAt, decided_at),
            comment = coalesce(@comment, comment)
      WHERE id = @id`,
  );
  const selectLastIssued = db.prepare<[string], { lastOtpIssuedAt: number | null }>(
    'SELECT last_otp_issued_at AS lastOtpIssuedAt FROM clients WHERE id = ?',
  );
  const setLastIssued = db.prepare<[number, string]>('UPDATE clients SET last_otp_issued_at = ? WHERE id = ?');
  const setDenied = db.prepare<[string, number, string | null, string]>(
    "UPDATE otp_requests SET status = 'denied', decided_by = ?, decided_at = ?, comment = ? WHERE id = ? AND status = 'pending'",
  );
  const selectCandidates = db.prepare<[string, string, string, number, number], { id: string; otpHash: Buffer; method: StoredMethod }>(
    `SELECT id, otp_hash AS otpHash, method FROM otp_requests
      WHERE client_id = ? AND os_user = ? AND email = ? AND status = 'sent' AND expires_at > ? AND failed_attempts < ?`,
  );
  // The one statement that turns a live OTP into a used one: whoever runs it second gets no row.
  const consume = db.prepare<[number, string, number, number], { id: string }>(
    `UPDATE otp_requests SET status = 'used', used_at = ?
      WHERE id = ? AND status = 'sent' AND used_at IS NULL AND expires_at > ? AND failed_attempts < ?
      RETURNING id`,
  );
  const countFailedAttempt = db.prepare<[string]>('UPDATE otp_requests SET failed_attempts = failed_attempts + 1 WHERE id = ?');
  const selectVerifyFailures = db.prepare<[string, string], { consecutive: number; lockedAt: number | null }>(
    'SELECT consecutive, locked_at AS lockedAt FROM verify_failures WHERE client_id = ? AND os_user = ?',
  );
  const countVerifyFailure = db.prepare<{ clientId: string; osUser: string; now: number; threshold: number }>(
    `INSERT INTO verify_failures (client_id, os_user, consecutive, locked_at) VALUES (@clientId, @osUser, 1, NULL)
     ON CONFLICT (client_id, os_user) DO UPDATE
       SET consecutive = consecutive + 1,
           locked_at = coalesce(locked_at, CASE WHEN consecutive + 1 >= @threshold THEN @now END)`,
  );
  const resetVerifyFailures = db.prepare<[string, string]>('DELETE FROM verify_failures WHERE client_id = ? AND os_user = ?');
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
     VALUES (@id, @clientId, @requestId, @osUser, @email, @via, @now, @now)`,
  );
  const listRequests = db.prepare<Record<string, unknown>, Omit<AccessRequest, 'status'> & { status: RequestStatus }>(
    `SELECT * FROM (
       SELECT r.id AS requestId, r.client_id AS clientId, c.computer_name AS computerName, r.os_user AS osUser, r.email,
              r.method, r.reason, ${EFFECTIVE_STATUS_SQL} AS status, r.created_at AS createdAt, r.expires_at AS expiresAt,
              r.decided_by AS decidedBy, r.decided_at AS decidedAt, r.comment
         FROM otp_requests r JOIN clients c ON c.id = r.client_id
        WHERE r.method IN ('email', 'emergency')
        ORDER BY r.created_at DESC)
      WHERE @status IS NULL OR status = @status
      LIMIT @limit`,
  );
  const listPendingRequests = db.prepare<Record<string, unknown>, Omit<AccessRequest, 'status'> & { status: RequestStatus }>(
    `SELECT r.id AS requestId, r.client_id AS clientId, c.computer_name AS computerName, r.os_user AS osUser, r.email,
            r.method, r.reason, 'pending' AS status, r.created_at AS createdAt, r.expires_at AS expiresAt,
            r.decided_by AS decidedBy, r.decided_at AS decidedAt, r.comment
       FROM otp_requests r JOIN clients c ON c.id = r.client_id
      WHERE r.status = 'pending' AND r.expires_at > @now AND r.method IN ('email', 'emergency')
      ORDER BY r.created_at
      LIMIT @limit`,
  );

  const expirationMs = () => settings.get().accessRequestExpirationMinutes * 60_000;

  function state(row: RequestRow): OtpRequestState {
    const status = effectiveStatus(row, clock.now(), settings.get().maxVerifyAttempts);
    return {
      requestId: row.id,
      status,
      email: row.email,
      ...(row.status === 'pending' ? {} : { expiresAt: row.expiresAt }),
    };
  }

  function accessRequest(row: RequestRow): AccessRequest {
    return {
      requestId: row.id,
      clientId: row.clientId,
      computerName: row.computerName,
      osUser: row.osUser,
      email: row.email,
      method: row.method === 'generated' ? 'email' : row.method,
      reason: row.reason,
      status: effectiveStatus(row, clock.now(), settings.get().maxVerifyAttempts),
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      decidedBy: row.decidedBy,
      decidedAt: row.decidedAt,
      comment: row.comment,
    };
  }

  /** 429 `otp_interval` when this Client was issued an OTP less than the interval ago. */
  function assertIntervalPassed(clientId: string): void {
    const intervalMs = settings.get().otpRequestIntervalMinutes * 60_000;
    const last = selectLastIssued.get(clientId)?.lastOtpIssuedAt ?? null;
    if (last === null || intervalMs === 0) return;
    const waitMs = last + intervalMs - clock.now();
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      const minutes = Math.ceil(seconds / 60);
      throw new AppError(
        429,
        'otp_interval',
        `A new one-time password for this computer can be requested in ${minutes} minute${minutes === 1 ? '' : 's'}. You can resend the one already sent.`,
        seconds,
      );
    }
  }

  /** Creates the code, stores only its HMAC and a sealed copy, and queues the mail. Inside a transaction. */
  function issue(
    row: Pick<RequestRow, 'id' | 'clientId' | 'computerName' | 'osUser' | 'email'>,
    decision?: { by: string; comment: string | null },
  ) {
    const now = clock.now();
    const code = generateOtp(settings.get().otpLength);
    const expiresAt = now + expirationMs();
    storeIssued.run({
      id: row.id,
      otpHash: hashOtp(keys.otpHash, row.id, code),
      otpSealed: seal(keys.seal, code, row.id),
      now,
      expiresAt,
      decidedBy: decision?.by ?? null,
      decidedAt: decision ? now : null,
      comment: decision?.comment ?? null,
    });
    setLastIssued.run(now, row.clientId);
    mail.enqueue('otp', otpMail({ to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt }));
    return expiresAt;
  }

  function insertNew(fields: {
    clientId: string;
    osUser: string;
    email: string;
    method: StoredMethod;
    reason?: string | null;
    comment?: string | null;
    decidedBy?: string | null;
  }): string {
    const id = newId();
    const now = clock.now();
    insertRequest.run({
      id,
      clientId: fields.clientId,
      osUser: fields.osUser,
      email: fields.email,
      method: fields.method,
      reason: fields.reason ?? null,
      status: 'pending',
      createdAt: now,
      expiresAt: now + expirationMs(),
      comment: fields.comment ?? null,
      decidedBy: fields.decidedBy ?? null,
      decidedAt: fields.decidedBy ? now : null,
    });
    return id;
  }

  const requireRow = (requestId: string) => {
    const row = selectRequest.get(requestId);
    if (!row) throw new AppError(404, 'not_found', 'No such request.');
    return row;
  };

  /** An access request (email or emergency) still waiting for a decision. */
  const requirePending = (requestId: string) => {
    const row = requireRow(requestId);
    if (row.method !== 'email' && row.method !== 'emergency') throw new AppError(404, 'not_found', 'No such access request.');
    if (effectiveStatus(row, clock.now(), settings.get().maxVerifyAttempts) !== 'pending') {
      throw new AppError(409, 'not_pending', 'This request is no longer waiting for a decision.');
    }
    return row;
  };

  const auditDecision = (type: AuditEventType, row: RequestRow, actor: string, comment: string | null) =>
    audit.record({
      type,
      actor,
      clientId: row.clientId,
      computerName: row.computerName,
      osUser: row.osUser,
      email: row.email,
      requestId: row.id,
      detail: comment,
    });

  return {
    /** `directory` and `internal`: the email is known, so the OTP is issued and mailed at once. */
    issueNow: (client: ClientRow, input: { osUser: string; email: string; method: 'directory' | 'internal' }): OtpRequestState =>
      db
        .transaction(() => {
          assertIntervalPassed(client.id);
          const id = insertNew({ clientId: client.id, osUser: input.osUser, email: input.email, method: input.method });
          issue({ id, clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email });
          audit.record({
            type: 'otp.issued',
            clientId: client.id,
            computerName: client.computerName,
            osUser: input.osUser,
            email: input.email,
            requestId: id,
            detail: `method ${input.method}`,
          });
          return state(requireRow(id));
        })
        .immediate(),

    /** `email` and `emergency`: an access request that waits for an approver; staff are notified. */
    requestApproval: (
      client: ClientRow,
      input: { osUser: string; email: string; method: 'email' | 'emergency'; reason: string | null },
    ): OtpRequestState =>
      db
        .transaction(() => {
          assertIntervalPassed(client.id);
          const open = selectOpenPending.get(client.id, input.osUser, input.email, clock.now());
          if (open) return state(requireRow(open.id));
          const id = insertNew({ clientId: client.id, ...input });
          const row = requireRow(id);
          for (const to of new Set(deps.staffEmails())) {
            mail.enqueue(
              'request-pending',
              pendingRequestMail({
                to,
                computerName: client.computerName,
                osUser: input.osUser,
                email: input.email,
                method: input.method,
                reason: input.reason,
                expiresAt: row.expiresAt,
                consoleUrl: deps.consoleUrl,
              }),
            );
          }
          audit.record({
            type: input.method === 'emergency' ? 'access_request.emergency_created' : 'access_request.created',
            clientId: client.id,
            computerName: client.computerName,
            osUser: input.osUser,
            email: input.email,
            requestId: id,
            detail: input.reason,
          });
          return state(row);
        })
        .immediate(),

    getState(clientId: string, requestId: string): OtpRequestState {
      const row = selectRequest.get(requestId);
      if (!row || row.clientId !== clientId) throw new AppError(404, 'not_found', 'No such request.');
      return state(row);
    },

    resend: (clientId: string, requestId: string): OtpRequestState =>
      db
        .transaction(() => {
          const row = selectRequest.get(requestId);
          if (!row || row.clientId !== clientId) throw new AppError(404, 'not_found', 'No such request.');
          const current = state(row);
          if (current.status !== 'sent' || !row.otpSealed) {
            throw new AppError(409, 'not_resendable', 'This one-time password can no longer be resent. Request a new one.');
          }
          const code = unseal(keys.seal, row.otpSealed, row.id);
          mail.enqueue(
            'otp',
            otpMail({ to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt: row.expiresAt }),
          );
          audit.record({
            type: 'otp.resent',
            clientId,
            computerName: row.computerName,
            osUser: row.osUser,
            email: row.email,
            requestId,
          });
          return current;
        })
        .immediate(),

    /**
     * Allows access only for a live OTP of this Client, osUser and email. Success consumes it in one
     * statement; a wrong code counts against every live OTP of that user and against the pair's lock.
     */
    verify: (client: ClientRow, input: { osUser: string; email: string; otp: string }): VerifyOutcome =>
      db
        .transaction((): VerifyOutcome => {
          const now = clock.now();
          const maxAttempts = settings.get().maxVerifyAttempts;
          const failures = selectVerifyFailures.get(client.id, input.osUser);
          const auditBase = { clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email };
          const fail = (reason: FailureReason, candidateIds: string[]): VerifyOutcome => {
            for (const id of candidateIds) countFailedAttempt.run(id);
            countVerifyFailure.run({ clientId: client.id, osUser: input.osUser, now, threshold: VERIFY_LOCK_THRESHOLD });
            const after = selectVerifyFailures.get(client.id, input.osUser);
            audit.record({ type: 'otp.verify_failed', ...auditBase, detail: FAILURE_DETAIL[reason] });
            if (after?.lockedAt === now && failures?.lockedAt == null) {
              audit.record({ type: 'otp.verify_locked', ...auditBase, detail: `${VERIFY_LOCK_THRESHOLD} consecutive failures` });
            }
            return { allowed: false, reason };
          };
          if (!client.allowOtp) return fail('otp_not_allowed', []);
          if (failures?.lockedAt != null) return fail('locked', []);

          const candidates = selectCandidates.all(client.id, input.osUser, input.email, now, maxAttempts);
          const match = candidates.find((c) => otpMatches(keys.otpHash, c.id, input.otp, c.otpHash));
          if (!match)
            return fail(
              'no_match',
              candidates.map((c) => c.id),
            );
          if (!consume.get(now, match.id, now, maxAttempts)) return fail('lost_race', []);

          const sessionId = newId();
          const via: SessionVia = match.method === 'emergency' ? 'emergency' : match.method === 'generated' ? 'generated' : 'otp';
          insertSession.run({
            id: sessionId,
            clientId: client.id,
            requestId: match.id,
            osUser: input.osUser,
            email: input.email,
            via,
            now,
          });
          resetVerifyFailures.run(client.id, input.osUser);
          audit.record({ type: 'otp.verified', ...auditBase, requestId: match.id, detail: `session ${sessionId} via ${via}` });
          return { allowed: true, sessionId, requestId: match.id, via };
        })
        .immediate(),

    listAccessRequests(query: { status?: RequestStatus; limit: number }): AccessRequest[] {
      const now = clock.now();
      if (query.status === 'pending') return listPendingRequests.all({ now, limit: query.limit }) as AccessRequest[];
      return listRequests.all({
        now,
        maxAttempts: settings.get().maxVerifyAttempts,
        status: query.status ?? null,
        limit: query.limit,
      }) as AccessRequest[];
    },

    approve: (requestId: string, actor: string, comment: string | null): AccessRequest =>
      db
        .transaction(() => {
          const row = requirePending(requestId);
          issue(row, { by: actor, comment });
          auditDecision('access_request.approved', row, actor, comment);
          return accessRequest(requireRow(requestId));
        })
        .immediate(),

    deny: (requestId: string, actor: string, comment: string | null): AccessRequest =>
      db
        .transaction(() => {
          const row = requirePending(requestId);
          setDenied.run(actor, clock.now(), comment, requestId);
          mail.enqueue('request-denied', deniedMail({ to: row.email, computerName: row.computerName, comment }));
          auditDecision('access_request.denied', row, actor, comment);
          return accessRequest(requireRow(requestId));
        })
        .immediate(),

    /** "Generate Password": helpdesk issues an OTP without a request (not bound by the interval). */
    generate: (client: ClientRow, input: { osUser: string; email: string; comment: string | null }, actor: string) =>
      db
        .transaction(() => {
          const id = insertNew({
            clientId: client.id,
            osUser: input.osUser,
            email: input.email,
            method: 'generated',
            comment: input.comment,
            decidedBy: actor,
          });
          const expiresAt = issue({ id, clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email });
          audit.record({
            type: 'otp.generated',
            actor,
            clientId: client.id,
            computerName: client.computerName,
            osUser: input.osUser,
            email: input.email,
            requestId: id,
            detail: input.comment,
          });
          return { requestId: id, expiresAt };
        })
        .immediate(),
  };
}

import { requestReference, type AuditEventType, type OtpRequestState, type RequestStatus } from '@latchkey/contracts';
import type { AccessRequestRow } from './approver-context.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { ServerKeys } from '../crypto/secret-key.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { MailQueue } from '../mail/mail-queue.js';
import { actsFor, type ClientRow, type ClientStore, type TokenHolder } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { LockoutStore } from './lockout-store.js';
import type { OtpRefusal } from './otp-refusal.js';
import { seal, unseal } from '../crypto/seal.js';
import { generateOtp, hashOtp } from './otp-code.js';
import { createRequestStore, type RequestRow } from './request-store.js';
import { MAX_OPEN_REQUESTS, RESEND_LIMIT, STAFF_NOTICE_INTERVAL_MS, createIssuePolicy } from './issue-policy.js';
import { createVerification } from './verification.js';
import { deniedMail, otpMail, pendingRequestMail, pendingRequestsReminderMail, type MailContext } from '../mail/mail-templates.js';
import { resolveLocale, type Locale } from '@latchkey/i18n';

export type { VerifyOutcome } from './verification.js';

export type OtpService = ReturnType<typeof createOtpService>;

/** A reference is read out about a recent request: it is looked for among this many of the newest. */
export const REFERENCE_SEARCH_DEPTH = 5000;

/**
 * Issuing, access-request decisions and verification. SQL lives in the stores (one per table), the
 * rules in the issue policy and the verification; this file composes them, one transaction per
 * action, with the action's mail and audit inside it. Refusals are returned (see otp-refusal.ts).
 */
export function createOtpService(deps: {
  db: Db;
  clock: Clock;
  keys: ServerKeys;
  settings: SettingsStore;
  audit: AuditLog;
  mail: MailQueue;
  clients: ClientStore;
  sessions: SessionStore;
  lockouts: LockoutStore;
  staffEmails: () => string[];
  consoleUrl: string;
  /** IANA zone for times in mails (LATCHKEY_TIME_ZONE). */
  timeZone: string;
}) {
  const { db, clock, keys, settings, audit, mail, clients } = deps;
  const requests = createRequestStore(db, clock, settings);
  const policy = createIssuePolicy({ clock, settings, clients, sessions: deps.sessions, requests });
  /** A mail to the person at the lock speaks the request's language; staff notices are English. */
  const mailContext = (locale: string | null = null): MailContext => ({
    now: clock.now(),
    timeZone: deps.timeZone,
    locale: resolveLocale(locale),
    helpdeskContact: settings.get().helpdeskContact,
  });
  const verification = createVerification({ db, keys, audit, requests, lockouts: deps.lockouts, sessions: deps.sessions });

  function state(row: RequestRow): OtpRequestState {
    return {
      requestId: row.id,
      status: row.status,
      email: row.email,
      ...(row.storedStatus === 'pending' ? {} : { expiresAt: row.expiresAt }),
      // The approver's comment on a denial reaches the lock: the denial mail may be unreadable from there.
      ...(row.status === 'denied' && row.comment ? { comment: row.comment } : {}),
      ...(row.status === 'sent' ? { attemptsLeft: Math.max(0, settings.get().maxVerifyAttempts - row.failedAttempts) } : {}),
    };
  }

  const requireRow = (id: string): RequestRow => {
    const row = requests.get(id);
    if (!row) throw new Error(`request ${id} vanished inside its transaction`);
    return row;
  };

  /** Creates the code, stores only its HMAC and a sealed copy, and queues the mail. Inside a transaction. */
  function issue(
    row: Pick<RequestRow, 'id' | 'clientId' | 'computerName' | 'osUser' | 'email' | 'locale'>,
    decision?: { by: string; comment: string | null },
  ): number {
    const code = generateOtp(settings.get().otpLength);
    const expiresAt = requests.markIssued(
      row.id,
      { hash: hashOtp(keys.otpHash, row.id, code), sealed: seal(keys.seal, code, row.id) },
      decision,
    );
    clients.markOtpIssued(row.clientId);
    mail.enqueue(
      'otp',
      otpMail({ to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt }, mailContext(row.locale)),
    );
    return expiresAt;
  }

  /** An access request (email or emergency) still waiting for a decision, or why not. */
  function pendingAccessRequest(requestId: string): RequestRow | OtpRefusal {
    const row = requests.get(requestId);
    if (!row || (row.method !== 'email' && row.method !== 'emergency')) return { refused: 'not_found', what: 'access request' };
    if (row.status !== 'pending') return { refused: 'not_pending' };
    return row;
  }

  /** The request of this holder, or not found (another Client's, or another osUser's for a per-user token, is not revealed). */
  function ownRequest(holder: TokenHolder, requestId: string): RequestRow | OtpRefusal {
    const row = requests.get(requestId);
    return row && row.clientId === holder.id && actsFor(holder, row.osUser) ? row : { refused: 'not_found', what: 'request' };
  }

  /**
   * The interval, unless the request may use a re-locked session's allowance or a cancelled OTP's
   * waiver: a refusal, or what it may use.
   */
  function intervalOrRelock(
    client: ClientRow,
    input: { osUser: string; email: string; relockOf?: string | undefined },
  ): OtpRefusal | { relockSession?: string; waiverOf?: string } {
    const relockSession = policy.relockAllowance(client.id, input);
    if (relockSession) return { relockSession };
    const refused = policy.checkInterval(client, input.osUser);
    if (!refused) return {};
    const waiverOf = policy.intervalWaiver(client.id, input.osUser);
    return waiverOf ? { waiverOf } : refused;
  }

  function useAllowance(
    allowed: { relockSession?: string; waiverOf?: string },
    client: ClientRow,
    input: { osUser: string; email: string },
    requestId: string,
  ) {
    if (allowed.waiverOf) {
      requests.useIntervalWaiver(allowed.waiverOf, requestId);
      audit.record({
        type: 'otp.interval_waived',
        clientId: client.id,
        computerName: client.computerName,
        osUser: input.osUser,
        email: input.email,
        requestId,
        detail: `the one-time password of request ${allowed.waiverOf} was cancelled: not refused by the interval`,
      });
    }
    const relockSession = allowed.relockSession;
    if (!relockSession) return;
    deps.sessions.useRelockAllowance(relockSession, requestId);
    audit.record({
      type: 'otp.relock_allowance',
      clientId: client.id,
      computerName: client.computerName,
      osUser: input.osUser,
      email: input.email,
      requestId,
      detail: `re-lock of session ${relockSession}: not refused by the interval`,
    });
  }

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

  const accessRequest = (requestId: string): AccessRequestRow => {
    const request = requests.getAccessRequest(requestId);
    if (!request) throw new Error(`request ${requestId} vanished inside its transaction`);
    return request;
  };

  return {
    /**
     * `directory` and `internal`: the email is known, so the OTP is issued and mailed at once. For
     * `internal`, only for a Windows account linked to the user; a refusal is audited.
     */
    issueNow: (
      client: ClientRow,
      input:
        | { osUser: string; email: string; method: 'directory'; relockOf?: string | undefined; locale?: Locale | undefined }
        | {
            osUser: string;
            email: string;
            method: 'internal';
            user: { login: string; windowsAccounts: readonly string[] };
            relockOf?: string | undefined;
            locale?: Locale | undefined;
          },
    ): OtpRequestState | OtpRefusal =>
      db
        .transaction(() => {
          if (input.method === 'internal') {
            const notLinked = policy.checkAccountLink(input.osUser, input.user);
            if (notLinked) {
              audit.record({
                type: 'otp.refused',
                clientId: client.id,
                computerName: client.computerName,
                osUser: input.osUser,
                email: input.email,
                detail: `account_not_linked: not a Windows account of internal user ${input.user.login}`,
              });
              return notLinked;
            }
          }
          const allowed = intervalOrRelock(client, input);
          if ('refused' in allowed) return allowed;
          const locale = input.locale ?? null;
          const id = requests.insert({ clientId: client.id, osUser: input.osUser, email: input.email, method: input.method, locale });
          useAllowance(allowed, client, input, id);
          issue({ id, clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email, locale });
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
      input: {
        osUser: string;
        email: string;
        method: 'email' | 'emergency';
        reason: string | null;
        relockOf?: string | undefined;
        locale?: Locale | undefined;
      },
    ): OtpRequestState | OtpRefusal =>
      db
        .transaction(() => {
          const domainRefusal = policy.checkEmailDomain(input.email);
          if (domainRefusal) return domainRefusal;
          // Emergency always reaches a person: the interval never refuses it, and approving it issues whatever the interval.
          const allowed = input.method === 'emergency' ? {} : intervalOrRelock(client, input);
          if ('refused' in allowed) return allowed;
          const open = requests.openPending(client.id, input.osUser, input.email);
          if (open) return state(requireRow(open));
          const auditBase = { clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email };
          const tooMany = policy.checkOpenRequests(client, input.osUser);
          if (tooMany) {
            audit.record({ type: 'access_request.refused', ...auditBase, detail: `too_many_open_requests (${MAX_OPEN_REQUESTS})` });
            return tooMany;
          }
          const superseded = requests.supersedePending(client.id, input.osUser);
          const { relockOf: _relockOf, ...fields } = input;
          const id = requests.insert({ clientId: client.id, ...fields });
          useAllowance(allowed, client, input, id);
          for (const old of superseded) {
            audit.record({ type: 'access_request.superseded', ...auditBase, requestId: old, detail: `by ${id}` });
          }
          if (allowed.relockSession && input.method === 'email' && settings.get().relockSendsToSessionEmail) {
            // The person proved this mailbox on this computer in the session now re-locked: mailed at
            // once, without approval, once per re-lock (the allowance above is used up).
            issue({
              id,
              clientId: client.id,
              computerName: client.computerName,
              osUser: input.osUser,
              email: input.email,
              locale: input.locale ?? null,
            });
            audit.record({
              type: 'otp.issued',
              ...auditBase,
              requestId: id,
              detail: `method email, re-lock of session ${allowed.relockSession}: mailed at once to the email it was unlocked with (relockSendsToSessionEmail)`,
            });
            return state(requireRow(id));
          }
          const row = requireRow(id);
          // At most one notice a minute per staff member: the rest are folded into a later reminder.
          // An emergency is never folded: its notice goes at once and names who, where and why.
          for (const to of new Set(deps.staffEmails())) {
            const notice = pendingRequestMail(
              {
                to,
                computerName: client.computerName,
                osUser: input.osUser,
                email: input.email,
                method: input.method,
                reason: input.reason,
                expiresAt: row.expiresAt,
                consoleUrl: deps.consoleUrl,
              },
              mailContext(),
            );
            if (input.method === 'emergency') mail.enqueue('request-emergency', notice);
            else
              mail.enqueueThrottled('request-pending', STAFF_NOTICE_INTERVAL_MS, {
                now: notice,
                later: pendingRequestsReminderMail({ to, consoleUrl: deps.consoleUrl }, mailContext()),
              });
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

    getState(holder: TokenHolder, requestId: string): OtpRequestState | OtpRefusal {
      const row = ownRequest(holder, requestId);
      return 'refused' in row ? row : state(row);
    },

    resend: (holder: TokenHolder, requestId: string): OtpRequestState | OtpRefusal =>
      db
        .transaction(() => {
          const clientId = holder.id;
          const row = ownRequest(holder, requestId);
          if ('refused' in row) return row;
          if (row.status !== 'sent' || !row.otpSealed) return { refused: 'not_resendable' } as const;
          if (!requests.countResend(row.id, RESEND_LIMIT)) return { refused: 'resend_limit' } as const;
          const code = unseal(keys.seal, row.otpSealed, row.id);
          mail.enqueue(
            'otp',
            otpMail(
              { to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt: row.expiresAt },
              mailContext(row.locale),
            ),
          );
          audit.record({
            type: 'otp.resent',
            clientId,
            computerName: row.computerName,
            osUser: row.osUser,
            email: row.email,
            requestId,
          });
          return state(row);
        })
        .immediate(),

    /**
     * "Use a different email": the Client withdraws its own pending request, so no approver can pick
     * the mistyped one. "Wrong address?": it cancels its sent OTP, which stops verifying, and its
     * next request is not refused by the interval (once per cancelled OTP).
     */
    cancel: (holder: TokenHolder, requestId: string): OtpRequestState | OtpRefusal =>
      db
        .transaction(() => {
          const clientId = holder.id;
          const row = ownRequest(holder, requestId);
          if ('refused' in row) return row;
          if (!requests.markCancelled(requestId)) return { refused: 'not_pending' } as const;
          audit.record({
            type: row.status === 'sent' ? 'otp.cancelled' : 'access_request.cancelled',
            clientId,
            computerName: row.computerName,
            osUser: row.osUser,
            email: row.email,
            requestId,
          });
          return state(requireRow(requestId));
        })
        .immediate(),

    verify: verification.verify,

    listAccessRequests: (query: { status?: RequestStatus; limit: number }): AccessRequestRow[] => requests.listAccessRequests(query),
    /** The access request with this reference among the newest REFERENCE_SEARCH_DEPTH, if any. */
    findByReference(reference: string): AccessRequestRow | undefined {
      const id = requests.recentAccessRequestIds(REFERENCE_SEARCH_DEPTH).find((candidate) => requestReference(candidate) === reference);
      return id === undefined ? undefined : requests.getAccessRequest(id);
    },
    countAccessRequests: (query: { status?: RequestStatus }): number => requests.countAccessRequests(query),
    emailsVerifiedBy: requests.emailsVerifiedBy,
    osUsersSeen: requests.osUsersSeen,

    approve: (requestId: string, approver: { login: string; email: string }, comment: string | null): AccessRequestRow | OtpRefusal =>
      db
        .transaction(() => {
          const row = pendingAccessRequest(requestId);
          if ('refused' in row) return row;
          const actor = approver.login;
          const selfApproval = policy.checkApprover(row.email, approver);
          if (selfApproval) {
            auditDecision('access_request.self_approval_refused', row, actor, null);
            return selfApproval;
          }
          issue(row, { by: actor, comment });
          auditDecision('access_request.approved', row, actor, comment);
          return accessRequest(requestId);
        })
        .immediate(),

    deny: (requestId: string, actor: string, comment: string | null): AccessRequestRow | OtpRefusal =>
      db
        .transaction(() => {
          const row = pendingAccessRequest(requestId);
          if ('refused' in row) return row;
          if (!requests.markDenied(requestId, actor, comment)) return { refused: 'not_pending' } as const;
          mail.enqueue('request-denied', deniedMail({ to: row.email, computerName: row.computerName, comment }, mailContext(row.locale)));
          auditDecision('access_request.denied', row, actor, comment);
          return accessRequest(requestId);
        })
        .immediate(),

    /** "Generate Password": helpdesk issues an OTP without a request (not bound by the interval). */
    generate: (
      client: ClientRow,
      input: { osUser: string; email: string; comment: string | null },
      approver: { login: string; email: string },
    ): { requestId: string; expiresAt: number } | OtpRefusal =>
      db
        .transaction(() => {
          const actor = approver.login;
          const refusal = policy.checkApprover(input.email, approver) ?? policy.checkEmailDomain(input.email);
          if (refusal) return refusal;
          const id = requests.insert({
            clientId: client.id,
            osUser: input.osUser,
            email: input.email,
            method: 'generated',
            comment: input.comment,
            decidedBy: actor,
          });
          const expiresAt = issue({
            id,
            clientId: client.id,
            computerName: client.computerName,
            osUser: input.osUser,
            email: input.email,
            locale: null,
          });
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

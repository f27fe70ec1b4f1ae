import { requestReference, type AuditEventType, type OtpRequestState, type RequestStatus } from '@latchkey/contracts';
import type { AccessRequestRow } from './approver-context.js';
import { READ_COMMITTED, notify, type Engine, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import type { ServerKeys } from '../crypto/secret-key.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { AuditStore } from '../audit/audit-log.js';
import type { MailQueue } from '../mail/mail-queue.js';
import { actsFor, type ClientRow, type ClientStore, type TokenHolder } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { LockoutStore } from './lockout-store.js';
import type { Refusal } from '../refusal.js';
import { seal, unseal } from '../crypto/seal.js';
import { generateOtp, hashOtp } from './otp-code.js';
import type { RequestRow, RequestStore } from './request-store.js';
import { MAX_OPEN_REQUESTS, RESEND_LIMIT, STAFF_NOTICE_INTERVAL_MS, createIssuePolicy } from './issue-policy.js';
import { createVerification } from './verification.js';
import { deniedMail, otpMail, pendingRequestMail, pendingRequestsReminderMail, type MailContext } from '../mail/mail-templates.js';
import { resolveLocale, type Locale } from '@latchkey/i18n';

export type { VerifyOutcome } from './verification.js';

/** Told when an access request was decided or cancelled on any node: held status long-polls read it again. */
export const REQUEST_CHANNEL = 'latchkey_request';

export type OtpService = ReturnType<typeof createOtpService>;

/** A reference is read out about a recent request: it is looked for among this many of the newest. */
export const REFERENCE_SEARCH_DEPTH = 5000;

/**
 * Issuing, access-request decisions and verification. SQL lives in the stores (one per table), the
 * rules in the issue policy and the verification; this file composes them, one transaction per
 * action, with the action's mail and audit inside it. Refusals are returned (see otp-refusal.ts).
 */
export function createOtpService(deps: {
  engine: Engine;
  clock: Clock;
  keys: ServerKeys;
  settings: SettingsStore;
  audit: AuditStore;
  requests: RequestStore;
  mail: MailQueue;
  clients: ClientStore;
  sessions: SessionStore;
  lockouts: LockoutStore;
  staffEmails: () => Work<string[]>;
  consoleUrl: string;
  /** IANA zone for times in mails (LATCHKEY_TIME_ZONE). */
  timeZone: string;
}) {
  const { engine, clock, keys, settings, audit, mail, clients, requests } = deps;
  const policy = createIssuePolicy({ clock, settings, clients, sessions: deps.sessions, requests });
  /** A mail to the person at the lock speaks the request's language; staff notices are English. */
  const mailContext = (locale: string | null = null): MailContext => ({
    now: clock.now(),
    timeZone: deps.timeZone,
    locale: resolveLocale(locale),
    helpdeskContact: settings.get().helpdeskContact,
  });
  const verification = createVerification({ keys, audit, requests, lockouts: deps.lockouts, sessions: deps.sessions });

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

  function* requireRow(id: string): Work<RequestRow> {
    const row = yield* requests.get(id);
    if (!row) throw new Error(`request ${id} vanished inside its transaction`);
    return row;
  }
  /** The lock of this request may be waiting on any node: it reads the status again. */
  const changed = (requestId: string) => notify(REQUEST_CHANNEL, requestId);

  /** Creates the code, stores only its HMAC and a sealed copy, and queues the mail. Inside a transaction. */
  function* issue(
    row: Pick<RequestRow, 'id' | 'clientId' | 'computerName' | 'osUser' | 'email' | 'locale'>,
    decision?: { by: string; comment: string | null },
  ): Work<number> {
    const code = generateOtp(settings.get().otpLength);
    // One time for both records: the interval waiver of a cancelled OTP compares them.
    const now = clock.now();
    const expiresAt = yield* requests.markIssued(
      row.id,
      { hash: hashOtp(keys.otpHash, row.id, code), sealed: seal(keys.seal, code, row.id) },
      decision,
      now,
    );
    yield* clients.markOtpIssued(row.clientId, now);
    yield* mail.enqueue(
      'otp',
      otpMail({ to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt }, mailContext(row.locale)),
    );
    return expiresAt;
  }

  /** An access request (email or emergency) still waiting for a decision, or why not. */
  function* pendingAccessRequest(requestId: string): Work<RequestRow | Refusal> {
    const row = yield* requests.get(requestId);
    if (!row || (row.method !== 'email' && row.method !== 'emergency')) return { refused: 'not_found', what: 'access request' };
    if (row.status !== 'pending') return { refused: 'not_pending' };
    return row;
  }

  /** The request of this holder, or not found (another Client's, or another osUser's for a per-user token, is not revealed). */
  function* ownRequest(holder: TokenHolder, requestId: string): Work<RequestRow | Refusal> {
    const row = yield* requests.get(requestId);
    return row && row.clientId === holder.id && actsFor(holder, row.osUser) ? row : { refused: 'not_found', what: 'request' };
  }

  /**
   * The interval, unless the request may use a re-locked session's allowance or a cancelled OTP's
   * waiver: a refusal, or what it may use.
   */
  function* intervalOrRelock(
    client: ClientRow,
    input: { osUser: string; email: string; relockOf?: string | undefined },
  ): Work<Refusal | { relockSession?: string; waiverOf?: string }> {
    const relockSession = yield* policy.relockAllowance(client.id, input);
    if (relockSession) return { relockSession };
    const refused = yield* policy.checkInterval(client, input.osUser);
    if (!refused) return {};
    const waiverOf = yield* policy.intervalWaiver(client.id, input.osUser);
    return waiverOf ? { waiverOf } : refused;
  }

  function* useAllowance(
    allowed: { relockSession?: string; waiverOf?: string },
    client: ClientRow,
    input: { osUser: string; email: string },
    requestId: string,
  ): Work<void> {
    if (allowed.waiverOf) {
      yield* requests.useIntervalWaiver(allowed.waiverOf, requestId);
      yield* audit.record({
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
    yield* deps.sessions.useRelockAllowance(relockSession, requestId);
    yield* audit.record({
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

  /**
   * One action on one Client's requests, as one write under that Client's row lock: on PostgreSQL at
   * READ COMMITTED, so actions for the same Client wait for each other on any node and then read what
   * the one before committed (the interval, the open-request cap, supersede, a decision taken once),
   * while the logon storm's actions for different Clients never conflict (SERIALIZABLE's predicate
   * locks on shared index pages made them, past the engine's 40 runs: the benchmark found it). On
   * SQLite the one writer serializes them anyway; the lock is a plain read there.
   */
  function forClient<T>(clientId: string, work: () => Work<T>): Promise<T> {
    return engine.write(function* () {
      yield* clients.lock(clientId);
      return yield* work();
    }, READ_COMMITTED);
  }
  /** As forClient, for an action named by its request (approve, deny): the lock of that request's Client. */
  function forRequest<T>(requestId: string, work: () => Work<T>): Promise<T> {
    return engine.write(function* () {
      const clientId = yield* requests.clientIdOf(requestId);
      if (clientId !== undefined) yield* clients.lock(clientId);
      return yield* work();
    }, READ_COMMITTED);
  }

  function* accessRequest(requestId: string): Work<AccessRequestRow> {
    const request = yield* requests.getAccessRequest(requestId);
    if (!request) throw new Error(`request ${requestId} vanished inside its transaction`);
    return request;
  }

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
    ): Promise<OtpRequestState | Refusal> =>
      forClient(client.id, function* () {
        if (input.method === 'internal') {
          const notLinked = policy.checkAccountLink(input.osUser, input.user);
          if (notLinked) {
            yield* audit.record({
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
        const allowed = yield* intervalOrRelock(client, input);
        if ('refused' in allowed) return allowed;
        const locale = input.locale ?? null;
        const id = yield* requests.insert({ clientId: client.id, osUser: input.osUser, email: input.email, method: input.method, locale });
        yield* useAllowance(allowed, client, input, id);
        yield* issue({ id, clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email, locale });
        yield* audit.record({
          type: 'otp.issued',
          clientId: client.id,
          computerName: client.computerName,
          osUser: input.osUser,
          email: input.email,
          requestId: id,
          detail: `method ${input.method}`,
        });
        return state(yield* requireRow(id));
      }),

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
    ): Promise<OtpRequestState | Refusal> =>
      forClient(client.id, function* () {
        const domainRefusal = policy.checkEmailDomain(input.email);
        if (domainRefusal) return domainRefusal;
        // Emergency always reaches a person: the interval never refuses it, and approving it issues whatever the interval.
        const allowed = input.method === 'emergency' ? {} : yield* intervalOrRelock(client, input);
        if ('refused' in allowed) return allowed;
        const open = yield* requests.openPending(client.id, input.osUser, input.email);
        if (open) return state(yield* requireRow(open));
        const auditBase = { clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email };
        const tooMany = yield* policy.checkOpenRequests(client, input.osUser);
        if (tooMany) {
          yield* audit.record({ type: 'access_request.refused', ...auditBase, detail: `too_many_open_requests (${MAX_OPEN_REQUESTS})` });
          return tooMany;
        }
        const superseded = yield* requests.supersedePending(client.id, input.osUser);
        const { relockOf: _relockOf, ...fields } = input;
        const id = yield* requests.insert({ clientId: client.id, ...fields });
        yield* useAllowance(allowed, client, input, id);
        for (const old of superseded) {
          yield* audit.record({ type: 'access_request.superseded', ...auditBase, requestId: old, detail: `by ${id}` });
        }
        if (allowed.relockSession && input.method === 'email' && settings.get().relockSendsToSessionEmail) {
          // The person proved this mailbox on this computer in the session now re-locked: mailed at
          // once, without approval, once per re-lock (the allowance above is used up).
          yield* issue({
            id,
            clientId: client.id,
            computerName: client.computerName,
            osUser: input.osUser,
            email: input.email,
            locale: input.locale ?? null,
          });
          yield* audit.record({
            type: 'otp.issued',
            ...auditBase,
            requestId: id,
            detail: `method email, re-lock of session ${allowed.relockSession}: mailed at once to the email it was unlocked with (relockSendsToSessionEmail)`,
          });
          return state(yield* requireRow(id));
        }
        const row = yield* requireRow(id);
        // At most one notice a minute per staff member: the rest are folded into a later reminder.
        // An emergency is never folded: its notice goes at once and names who, where and why.
        for (const to of new Set(yield* deps.staffEmails())) {
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
          if (input.method === 'emergency') yield* mail.enqueue('request-emergency', notice);
          else
            yield* mail.enqueueThrottled('request-pending', STAFF_NOTICE_INTERVAL_MS, {
              now: notice,
              later: pendingRequestsReminderMail({ to, consoleUrl: deps.consoleUrl }, mailContext()),
            });
        }
        yield* audit.record({
          type: input.method === 'emergency' ? 'access_request.emergency_created' : 'access_request.created',
          clientId: client.id,
          computerName: client.computerName,
          osUser: input.osUser,
          email: input.email,
          requestId: id,
          detail: input.reason,
        });
        return state(row);
      }),

    getState: (holder: TokenHolder, requestId: string): Promise<OtpRequestState | Refusal> =>
      engine.read(function* () {
        const row = yield* ownRequest(holder, requestId);
        return 'refused' in row ? row : state(row);
      }),

    resend: (holder: TokenHolder, requestId: string): Promise<OtpRequestState | Refusal> =>
      forClient(holder.id, function* () {
        const clientId = holder.id;
        const row = yield* ownRequest(holder, requestId);
        if ('refused' in row) return row;
        if (row.status !== 'sent' || !row.otpSealed) return { refused: 'not_resendable' } as const;
        if (!(yield* requests.countResend(row.id, RESEND_LIMIT))) return { refused: 'resend_limit' } as const;
        const code = unseal(keys.seal, row.otpSealed, row.id);
        yield* mail.enqueue(
          'otp',
          otpMail(
            { to: row.email, code, computerName: row.computerName, osUser: row.osUser, expiresAt: row.expiresAt },
            mailContext(row.locale),
          ),
        );
        yield* audit.record({
          type: 'otp.resent',
          clientId,
          computerName: row.computerName,
          osUser: row.osUser,
          email: row.email,
          requestId,
        });
        return state(row);
      }),

    /**
     * "Use a different email": the Client withdraws its own pending request, so no approver can pick
     * the mistyped one. "Wrong address?": it cancels its sent OTP, which stops verifying, and its
     * next request is not refused by the interval (once per cancelled OTP).
     */
    cancel: (holder: TokenHolder, requestId: string): Promise<OtpRequestState | Refusal> =>
      forClient(holder.id, function* () {
        const clientId = holder.id;
        const row = yield* ownRequest(holder, requestId);
        if ('refused' in row) return row;
        if (!(yield* requests.markCancelled(requestId))) return { refused: 'not_pending' } as const;
        yield* audit.record({
          type: row.status === 'sent' ? 'otp.cancelled' : 'access_request.cancelled',
          clientId,
          computerName: row.computerName,
          osUser: row.osUser,
          email: row.email,
          requestId,
        });
        yield* changed(requestId);
        return state(yield* requireRow(requestId));
      }),

    listLockouts: () => engine.read(() => deps.lockouts.list()),
    /** An admin clears a lockout; false when there was none. */
    clearLockout: (clientId: string, osUser: string, actor: string): Promise<boolean> =>
      engine.write(function* () {
        if (!(yield* deps.lockouts.clear(clientId, osUser))) return false;
        yield* audit.record({ type: 'otp.lock_cleared', actor, clientId, osUser });
        return true;
      }),

    /**
     * At READ COMMITTED on PostgreSQL: every write in it guards itself in one statement (consume
     * re-checks the OTP under its row lock, burn and lockout counts are single UPDATEs), so two nodes
     * verifying one OTP still open one session; SERIALIZABLE would only add false conflicts between
     * the verifications of a logon storm (each reads its own Client's rows) and run them again.
     */
    verify: (client: ClientRow, input: { osUser: string; email: string; otp: string }) =>
      engine.write(() => verification.verify(client, input), READ_COMMITTED),

    listAccessRequests: (query: { status?: RequestStatus; limit: number }): Promise<AccessRequestRow[]> =>
      engine.read(() => requests.listAccessRequests(query)),
    /** The access request with this reference among the newest REFERENCE_SEARCH_DEPTH, if any. */
    findByReference: (reference: string): Promise<AccessRequestRow | undefined> =>
      engine.read(function* () {
        const ids = yield* requests.recentAccessRequestIds(REFERENCE_SEARCH_DEPTH);
        const id = ids.find((candidate) => requestReference(candidate) === reference);
        return id === undefined ? undefined : yield* requests.getAccessRequest(id);
      }),
    countAccessRequests: (query: { status?: RequestStatus }): Promise<number> => engine.read(() => requests.countAccessRequests(query)),
    emailsVerifiedBy: (osUser: string): Promise<string[]> => engine.read(() => requests.emailsVerifiedBy(osUser)),
    osUsersSeen: (clientId: string) => engine.read(() => requests.osUsersSeen(clientId)),

    approve: (requestId: string, approver: { login: string; email: string }, comment: string | null): Promise<AccessRequestRow | Refusal> =>
      forRequest(requestId, function* () {
        const row = yield* pendingAccessRequest(requestId);
        if ('refused' in row) return row;
        const actor = approver.login;
        const selfApproval = policy.checkApprover(row.email, approver);
        if (selfApproval) {
          yield* auditDecision('access_request.self_approval_refused', row, actor, null);
          return selfApproval;
        }
        yield* issue(row, { by: actor, comment });
        yield* auditDecision('access_request.approved', row, actor, comment);
        yield* changed(requestId);
        return yield* accessRequest(requestId);
      }),

    deny: (requestId: string, actor: string, comment: string | null): Promise<AccessRequestRow | Refusal> =>
      forRequest(requestId, function* () {
        const row = yield* pendingAccessRequest(requestId);
        if ('refused' in row) return row;
        if (!(yield* requests.markDenied(requestId, actor, comment))) return { refused: 'not_pending' } as const;
        yield* mail.enqueue(
          'request-denied',
          deniedMail({ to: row.email, computerName: row.computerName, comment }, mailContext(row.locale)),
        );
        yield* auditDecision('access_request.denied', row, actor, comment);
        yield* changed(requestId);
        return yield* accessRequest(requestId);
      }),

    /**
     * "Generate Password": helpdesk issues an OTP without a request (not bound by the interval), for a
     * Client that allows OTPs (`client` as found by its id).
     */
    generate: (
      client: ClientRow | undefined,
      input: { osUser: string; email: string; comment: string | null },
      approver: { login: string; email: string },
    ): Promise<{ requestId: string; expiresAt: number } | Refusal> => {
      if (!client) return Promise.resolve({ refused: 'not_found', what: 'Client' });
      if (!client.allowOtp) return Promise.resolve({ refused: 'otp_not_allowed' });
      return forClient(client.id, function* () {
        const actor = approver.login;
        const refusal = policy.checkApprover(input.email, approver) ?? policy.checkEmailDomain(input.email);
        if (refusal) return refusal;
        const id = yield* requests.insert({
          clientId: client.id,
          osUser: input.osUser,
          email: input.email,
          method: 'generated',
          comment: input.comment,
          decidedBy: actor,
        });
        const expiresAt = yield* issue({
          id,
          clientId: client.id,
          computerName: client.computerName,
          osUser: input.osUser,
          email: input.email,
          locale: null,
        });
        yield* audit.record({
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
      });
    },
  };
}

import {
  ApiError,
  allowedRequestMethods,
  createApiClient,
  DEFAULT_POLICY,
  isSafeMultilineText,
  isValidEmail,
  isValidLoginName,
  routes,
  type ApiClient,
  type ClientPolicy,
  type FetchLike,
  type LockState,
  type Notice,
  type OtpRequestBody,
  type OtpRequestState,
  type RequestOtpInput,
  type VerifyInput,
  type OfflineUnlockInput,
  type LogonKind,
} from '@latchkey/contracts';
import { backoffDelay, systemTimers, type Timers } from './timers.js';
import { OfflineFlow } from './offline-flow.js';
import type { OfflineUnlocker } from './offline-unlock.js';
import type { GuardLink } from './guard-link.js';
import { relockNotice, type Relockable, type SessionEvent } from './relock.js';
import { verdictNotice, type VerdictHook } from './verdict.js';
import {
  accessDeniedBecause,
  burntNotice,
  cancelledNotice,
  errorNotice,
  inputNotice,
  intervalNotice,
  resentNotice,
  statusNotice,
  unreachable,
  guardUnverified,
  wordsFor,
  type Words,
} from './messages.js';
import { StatusWatch } from './status-watch.js';
import { SessionFlow, type UnlockedSession } from './session-flow.js';
import { nextState, showsInterval, withPolicy } from './lock-state.js';
import { lapsed, readStatus, settledStatus } from './request-flow.js';
import { decideAtStart, localExemption, type DecisionHost } from './lock-decision.js';

/** What survives a restart of the lock (so "Resend" still works after the program was restarted). */
export interface SavedRequest {
  requestId: string;
  email: string;
}
export interface RequestStore {
  load(): SavedRequest | undefined;
  save(value: SavedRequest | undefined): void;
}

export type { UnlockedSession } from './session-flow.js';

/** The last policy the server gave, kept for a start without the server (exemptAccounts' `.\name` entries, the company's words). */
export interface PolicyStore {
  load(): ClientPolicy | undefined;
  save(policy: ClientPolicy): void;
}

export interface LockControllerOptions {
  /** Server origin; '' for a same-origin page. */
  baseUrl: string;
  fetch: FetchLike;
  clientToken: () => string | undefined;
  osUser: string;
  computerName?: string;
  timers?: Timers;
  random?: () => number;
  store?: RequestStore;
  /** Status polling of a request waiting for approval. */
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** The host hides the lock (Electron: closes the windows; preview: shows "Unlocked"). */
  onUnlocked?: (session: UnlockedSession) => void;
  /** An offline unlock's session once the server has recorded it (at the unlock its id was not known yet). */
  onSessionRecorded?: (session: UnlockedSession & { sessionId: string }, unlockedAt: number) => void;
  /** The host signs the OS user out. */
  onSignOut?: () => void | Promise<void>;
  /** Offline unlock with the helpdesk (challenge and response) when the server cannot be reached. */
  offline?: OfflineUnlocker;
  /** Signed verdicts (verdict.ts): nothing unlocks on an answer this hook refuses. */
  verdicts: VerdictHook;
  /** On a computer with the guard (guard-link.ts): its nonce for each verify, and its say on every unlock. */
  guard?: Pick<GuardLink, 'nonce' | 'unlock'>;
  /**
   * An installer-enrolled lock that could not verify its guard (main.ts): it has no way to the server
   * and says so instead of "the server cannot be reached".
   */
  guardUnverified?: boolean;
  /** The language of the lock (Windows' display language, a BCP 47 tag); unknown ones speak English. */
  locale?: string;
  /**
   * A lock without a guard asks the server at start whether this logon must unlock at all
   * (lock-decision.ts). Absent: always locked (a guard decides for the lock, or tests).
   */
  lockDecision?: { logonKind: () => LogonKind | Promise<LogonKind> };
  policyStore?: PolicyStore;
}

type Listener = (state: LockState) => void;

/** A failure that means "no usable answer from the server" rather than "the server said no". */
function isUnreachable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 0 || err.status === 502 || err.status === 504) return true;
  // A 5xx that names a cause the person can act on (directory_unavailable) is shown as such.
  return err.status >= 500 && (err.code === 'bad_response' || err.code === 'internal_error' || err.code === 'service_unavailable');
}

/**
 * The lock's logic, with no Electron or DOM in it: policy, OTP requests per method, status polling,
 * verification, session reporting and reconnecting. It only ever unlocks on a verified OTP; every
 * failure leaves it locked with a notice saying what happened.
 */
export class LockController implements Relockable {
  private readonly api: ApiClient;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly options: LockControllerOptions;
  private readonly listeners = new Set<Listener>();
  private policy: ClientPolicy = DEFAULT_POLICY;
  private current: LockState;
  private reconnectTimer: unknown;
  private reconnectAttempt = 0;
  private readonly watch: StatusWatch;
  private readonly sessions: SessionFlow;
  private disposed = false;
  private readonly offlineFlow: OfflineFlow | undefined;
  private intervalTimer: unknown;
  private decided = false;
  /** The lock's language. */
  readonly words: Words;

  constructor(options: LockControllerOptions) {
    this.options = options;
    this.words = wordsFor(options.locale);
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.api = createApiClient({ baseUrl: options.baseUrl, fetch: options.fetch, token: options.clientToken });
    this.watch = new StatusWatch({
      api: this.api,
      timers: this.timers,
      random: this.random,
      pollIntervalMs: options.pollIntervalMs ?? 3_000,
      onStatus: (request) => this.applyRequest(request),
      onFailure: (err) => this.requestFailed(err),
      onExpired: (request) => {
        if (this.current.request?.requestId === request.requestId && !this.settled()) this.applyRequest({ ...request, status: 'expired' });
      },
    });
    this.sessions = new SessionFlow({
      api: this.api,
      timers: this.timers,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
      ...(options.onSessionRecorded ? { onSessionRecorded: options.onSessionRecorded } : {}),
    });
    this.current = {
      phase: 'starting',
      popup: 'lock',
      osUser: options.osUser,
      ...(options.computerName ? { computerName: options.computerName } : {}),
      locale: this.words.locale,
      requestMode: 'email',
      otpAllowed: true,
      otpLength: DEFAULT_POLICY.otpLength,
      canResend: false,
    };
    this.offlineFlow =
      options.offline &&
      new OfflineFlow(options.offline, {
        api: this.api,
        timers: this.timers,
        state: () => this.current,
        update: (patch, remove) => this.update(patch, remove),
        unlock: () => this.unlock({ email: '', via: 'offline' }),
        settled: () => this.settled(),
        adoptSession: (sessionId) => this.sessions.adopt(sessionId),
        awaitingSession: () => this.sessions.awaitingId,
        reportIntervalMs: options.heartbeatIntervalMs ?? 60_000,
        words: this.words,
      });
  }

  get state(): LockState {
    return structuredClone(this.current);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<LockState>, remove: (keyof LockState)[] = []): void {
    this.publish(nextState(this.current, patch, remove, this.timers.now()));
  }

  private publish(next: LockState): void {
    this.current = next;
    this.followInterval();
    const snapshot = this.state;
    for (const listener of this.listeners) listener(snapshot);
  }

  private setNotice(notice: Notice | undefined): void {
    if (notice) this.update({ notice });
    else this.update({}, ['notice']);
  }

  /**
   * While an interval refusal is shown, its minutes count down: the notice is written again at each
   * minute's turn, and says "now" once the time has come.
   */
  private followInterval(): void {
    this.timers.clearTimeout(this.intervalTimer);
    const { nextRequestAt } = this.current;
    if (!showsInterval(this.current) || nextRequestAt === undefined || this.disposed) return;
    const left = nextRequestAt - this.timers.now();
    const step = left % 60_000 || 60_000;
    this.intervalTimer = this.timers.setTimeout(
      () => {
        if (!showsInterval(this.current)) return;
        this.setNotice(this.intervalNoticeNow());
      },
      Math.max(0, step),
    );
  }

  private intervalNoticeNow(): Notice {
    return intervalNotice(this.words, this.current.nextRequestAt ?? this.timers.now(), this.timers.now(), this.current.canResend);
  }

  // ---- start and reconnect ----

  /** Fetches the policy (retrying with backoff while the server cannot be reached) and restores a saved request. */
  async start(): Promise<void> {
    await this.offlineFlow?.start();
    const kept = this.options.policyStore?.load();
    if (kept) this.applyPolicy(kept, false);
    const saved = this.options.store?.load();
    if (saved) this.update({ email: saved.email, request: { requestId: saved.requestId, status: 'sent', email: saved.email } });
    const answered = await this.refreshPolicy();
    // No server: only a local break-glass account of the policy this computer holds stays open.
    if (!answered && this.options.lockDecision && !this.decided && localExemption(this.options.osUser, this.current.computerName, kept)) {
      this.decided = true;
      return this.unlock({ email: '', via: 'exempt' });
    }
    if (this.settled()) return;
    if (saved && this.current.phase === 'locked') await this.refreshRequest();
    if (this.current.request?.status === 'pending') this.watch.start(this.current.request);
  }

  private applyPolicy(policy: ClientPolicy, fromServer = true): void {
    this.policy = policy;
    if (fromServer) this.options.policyStore?.save(policy);
    this.publish(withPolicy(this.current, policy, this.timers.now()));
  }

  /** Unlocked, signing out or disposed: late answers must not change the state any more. */
  private settled(): boolean {
    return this.disposed || this.current.phase === 'unlocked' || this.current.phase === 'signing_out';
  }

  /** true when the server answered. */
  private async refreshPolicy(): Promise<boolean> {
    if (this.current.phase === 'unlocked') return true;
    this.update({ busy: 'policy' });
    try {
      const policy = await this.api(routes.getPolicy, this.offlineFlow ? { query: this.offlineFlow.policyQuery() } : {});
      void this.offlineFlow?.online(policy);
      if (this.settled()) return true;
      this.applyPolicy(policy);
      this.timers.clearTimeout(this.reconnectTimer);
      this.reconnectAttempt = 0;
      const wasOffline = this.current.phase !== 'locked';
      this.update({ phase: 'locked' }, ['busy', 'retry']);
      void this.options.verdicts.report(this.api);
      if (wasOffline && this.current.notice?.code === 'server_unreachable') this.setNotice(undefined);
      if (!this.policy.allowOneTimePasswords) this.setNotice(errorNotice(this.words, 'otp_not_allowed'));
      if (this.options.lockDecision && !this.decided) await this.decide(this.options.lockDecision);
      return true;
    } catch (err) {
      this.update({}, ['busy']);
      if (!this.settled()) this.handleFailure(err);
      return false;
    }
  }

  /** Asks once whether this logon must unlock at all; opens only on a signed "no" (lock-decision.ts). */
  private async decide(ask: NonNullable<LockControllerOptions['lockDecision']>): Promise<void> {
    this.decided = true;
    const host: DecisionHost = { api: this.api, verdicts: this.options.verdicts, osUser: this.options.osUser, words: this.words };
    const outcome = await decideAtStart(host, await ask.logonKind());
    if (this.settled()) return;
    if (outcome.kind === 'open') return this.unlock({ sessionId: outcome.sessionId, email: '', via: 'exempt' });
    if (outcome.kind === 'refused') this.setNotice(outcome.notice);
    // unreachable or 'lock': the lock stays; ask again at the next start.
    if (outcome.kind === 'unreachable') this.decided = false;
  }

  /** Server unreachable: stay locked, say so, try again later. Anything else: show what it said. */
  private handleFailure(err: unknown): void {
    if (isUnreachable(err)) {
      this.scheduleReconnect();
      return;
    }
    if (err instanceof ApiError) {
      this.setNotice(errorNotice(this.words, err.code, err.retryAfterSeconds));
      if (this.current.phase === 'starting') this.update({ phase: 'locked' });
      return;
    }
    this.setNotice(errorNotice(this.words, 'internal_error'));
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.current.phase === 'unlocked') return;
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectAttempt += 1;
    const delay = backoffDelay(this.reconnectAttempt, this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 }, this.random);
    const at = this.timers.now() + delay;
    const notice = this.options.guardUnverified ? guardUnverified(this.words) : unreachable(this.words);
    this.update({ phase: 'offline', retry: { attempt: this.reconnectAttempt, at }, notice });
    this.reconnectTimer = this.timers.setTimeout(() => void this.refreshPolicy(), delay);
    this.offlineFlow?.unreachable(this.reconnectAttempt);
  }

  /** "Try again now" while offline. */
  async retryNow(): Promise<void> {
    this.timers.clearTimeout(this.reconnectTimer);
    await this.refreshPolicy();
  }

  // ---- pop-ups ----

  /** "Unlock with the helpdesk" (offered while the server cannot be reached). */
  async showOffline(): Promise<void> {
    await this.offlineFlow?.show();
  }

  async offlineUnlock(input: OfflineUnlockInput): Promise<void> {
    await this.offlineFlow?.unlock(input);
  }

  /** Opens the request pop-up, with the policy fetched again so the form matches the server's settings. */
  async showRequest(): Promise<void> {
    if (this.settled()) return;
    this.update({ popup: 'request' });
    // A new request known to be refused by the interval (a burnt OTP issued within it): say so at
    // once, with emergency access, instead of letting Request run into the refusal.
    const next = this.current.nextRequestAt;
    if (next !== undefined && next > this.timers.now()) this.setNotice(this.intervalNoticeNow());
    else if (!showsInterval(this.current)) this.setNotice(undefined);
    await this.refreshPolicy();
  }

  showLock(): void {
    if (this.settled()) return;
    const request = this.current.request;
    const keep =
      request && !showsInterval(this.current)
        ? request.status === 'burnt'
          ? burntNotice(this.words, this.current.nextRequestAt, false)
          : statusNotice(this.words, request)
        : undefined;
    this.update({ popup: 'lock' });
    this.setNotice(keep);
  }

  // ---- requesting ----

  async requestOtp(input: RequestOtpInput): Promise<void> {
    if (this.current.busy === 'request' || this.settled()) return;
    const problem = this.checkRequestInput(input);
    if (problem) return this.setNotice(problem);
    const body: OtpRequestBody = { osUser: this.options.osUser, method: input.method };
    if (input.method === 'email' || input.method === 'emergency') body.email = input.email!.trim();
    if (input.method === 'emergency' && input.reason?.trim()) body.reason = input.reason.trim();
    if (this.sessions.relockOf) body.relockOf = this.sessions.relockOf;
    body.locale = this.words.locale;
    if (input.method === 'internal') {
      body.login = input.login!.trim();
      body.password = input.password!;
    }
    this.update({ busy: 'request' }, ['notice']);
    try {
      const request = await this.api(routes.createOtpRequest, { body });
      this.acceptRequest(request);
    } catch (err) {
      this.update({}, ['busy']);
      if (err instanceof ApiError && err.code === 'otp_interval') {
        const nextRequestAt = this.timers.now() + (err.retryAfterSeconds ?? 60) * 1000;
        this.update({ nextRequestAt });
        this.setNotice(this.intervalNoticeNow());
        return;
      }
      if (err instanceof ApiError && err.code === 'method_not_allowed')
        void this.refreshPolicy().then(() => this.setNotice(errorNotice(this.words, 'method_not_allowed')));
      this.handleFailure(err);
    }
  }

  private checkRequestInput(input: RequestOtpInput): Notice | undefined {
    const w = this.words;
    if (!this.policy.allowOneTimePasswords) return errorNotice(w, 'otp_not_allowed');
    if (!allowedRequestMethods(this.policy).has(input.method)) return errorNotice(w, 'method_not_allowed');
    if (input.method === 'email' || input.method === 'emergency') {
      const email = input.email?.trim() ?? '';
      if (!email) return inputNotice(w, 'email_missing');
      if (!isValidEmail(email)) return inputNotice(w, 'email_invalid');
      if (input.reason && !isSafeMultilineText(input.reason)) return inputNotice(w, 'reason_invalid');
    }
    if (input.method === 'internal') {
      if (!input.login?.trim()) return inputNotice(w, 'login_missing');
      if (!isValidLoginName(input.login.trim())) return errorNotice(w, 'invalid_credentials');
      if (!input.password) return inputNotice(w, 'password_missing');
    }
    return undefined;
  }

  private acceptRequest(request: OtpRequestState): void {
    this.options.store?.save({ requestId: request.requestId, email: request.email });
    this.update({ request, email: request.email, popup: 'lock', notice: statusNotice(this.words, request) }, ['busy', 'nextRequestAt']);
    this.watch.start(request);
  }

  /** A status from the server (or the local expiry) for the current request: words, Resend and the saved request follow it. */
  private applyRequest(answer: OtpRequestState): void {
    const known = this.current.request;
    if (!known || known.requestId !== answer.requestId || this.settled()) return;
    const request = readStatus(answer, this.timers.now());
    const changed = request.status !== known.status || known.expiresAt === undefined;
    const nextRequestAt = request.status === 'burnt' && changed ? this.nextRequestAfter(request) : undefined;
    this.update({ request, ...(nextRequestAt !== undefined ? { nextRequestAt } : {}) });
    if (changed && !showsInterval(this.current)) {
      this.setNotice(
        request.status === 'burnt' ? burntNotice(this.words, this.current.nextRequestAt, false) : statusNotice(this.words, request),
      );
    }
    if (settledStatus(request.status)) {
      this.options.store?.save(undefined);
      // A code was sent to this address (used, burnt, expired): it stays shown. Denied, lapsed, cancelled: the field is free again.
      const codeWasSent = request.status === 'used' || request.status === 'burnt' || (request.status === 'expired' && !lapsed(request));
      if (!codeWasSent) this.update({}, ['email']);
    }
    this.watch.follow(request);
  }

  /**
   * When the interval lets this Client have a new OTP after `request`'s (issued an expiry period
   * before its expiresAt); undefined when that time has passed or cannot be known.
   */
  private nextRequestAfter(request: OtpRequestState): number | undefined {
    const { otpRequestIntervalMinutes, accessRequestExpirationMinutes } = this.policy;
    if (request.expiresAt === undefined || otpRequestIntervalMinutes <= 0) return undefined;
    const next = request.expiresAt - accessRequestExpirationMinutes * 60_000 + otpRequestIntervalMinutes * 60_000;
    return next > this.timers.now() ? next : undefined;
  }

  private requestFailed(err: unknown): void {
    if (this.settled()) return;
    if (err instanceof ApiError && err.status === 404) {
      this.options.store?.save(undefined);
      this.watch.stop();
      this.update({}, ['request', 'email']);
      return;
    }
    if (isUnreachable(err) && this.current.phase !== 'offline') this.scheduleReconnect();
  }

  /** Asks the server for the status of the last request now (the watch keeps following a pending one). */
  async refreshRequest(): Promise<void> {
    const known = this.current.request;
    if (!known || this.settled()) return;
    try {
      this.applyRequest(await this.api(routes.getOtpRequest, { params: { requestId: known.requestId } }));
    } catch (err) {
      this.requestFailed(err);
    }
  }

  /**
   * "Use a different email" (pending) and "Wrong address?" (sent): withdraws the request (a sent
   * OTP stops working, and the next request is not refused by the interval) and opens the request
   * form again with its address to correct.
   */
  async cancelRequest(): Promise<void> {
    const request = this.current.request;
    const open = request?.status === 'pending' || (request?.status === 'sent' && this.current.canResend);
    if (!request || !open || this.current.busy || this.settled()) return;
    this.update({ busy: 'cancel' });
    try {
      await this.api(routes.cancelOtpRequest, { params: { requestId: request.requestId } });
    } catch (err) {
      this.update({}, ['busy']);
      // Decided meanwhile (approved, denied, lapsed): show what it is now instead.
      if (err instanceof ApiError && err.code === 'not_pending') return this.refreshRequest();
      return this.handleFailure(err);
    }
    if (this.settled()) return;
    this.watch.stop();
    this.options.store?.save(undefined);
    // The view puts the address back into the request form, editable, to correct it.
    this.update({ popup: 'request', notice: cancelledNotice(this.words, request.email) }, ['busy', 'request', 'email', 'nextRequestAt']);
  }

  async resend(): Promise<void> {
    const request = this.current.request;
    if (!request || this.current.busy === 'resend' || this.settled()) return;
    this.update({ busy: 'resend' });
    try {
      const resent = await this.api(routes.resendOtp, { params: { requestId: request.requestId } });
      this.update({ request: resent, email: resent.email, popup: 'lock', notice: resentNotice(this.words, resent.email) }, ['busy']);
    } catch (err) {
      this.update({}, ['busy']);
      if (err instanceof ApiError && err.code === 'not_resendable') {
        await this.refreshRequest();
        this.setNotice(errorNotice(this.words, 'not_resendable'));
        return;
      }
      this.handleFailure(err);
    }
  }

  // ---- verifying and the session ----

  async verify(input: VerifyInput): Promise<void> {
    if (this.current.busy === 'verify' || this.settled()) return;
    const email = (this.current.email ?? input.email).trim();
    const otp = input.otp.replace(/[\s-]/g, '');
    if (!email) return this.setNotice(inputNotice(this.words, 'email_missing'));
    if (!isValidEmail(email)) return this.setNotice(inputNotice(this.words, 'email_invalid'));
    if (!new RegExp(`^[0-9]{${this.current.otpLength}}$`).test(otp)) {
      return this.setNotice(inputNotice(this.words, 'otp_format', { length: this.current.otpLength }));
    }
    this.update({ busy: 'verify' }, ['notice']);
    let result;
    let nonce: string;
    try {
      nonce = this.options.guard ? await this.options.guard.nonce() : this.options.verdicts.nonce();
      result = await this.api(routes.verifyOtp, { body: { osUser: this.options.osUser, email, otp, nonce, includeVia: true } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'access_denied') {
        // The server says the same for every failure; the request's status (and the attempts left)
        // can tell the person more: one notice, once that is known.
        await this.refreshRequest();
        if (this.settled()) return;
        this.update({ notice: accessDeniedBecause(this.words, this.current.request, this.current.nextRequestAt) }, ['busy']);
        return;
      }
      if (err instanceof ApiError && err.code === 'bad_response' && err.status === 200) {
        // The contract requires a verdict (v1.2), so a 200 without one (a forgery) fails the answer's check.
        this.options.verdicts.record({ osUser: this.options.osUser, reason: 'missing', at: this.timers.now() });
        this.update({ notice: verdictNotice(this.words, 'missing') }, ['busy']);
        return void this.options.verdicts.report(this.api);
      }
      this.update({}, ['busy']);
      this.handleFailure(err);
      return;
    }
    if (this.settled()) return;
    const refused = await this.options.verdicts.refuse(result, this.options.osUser, nonce);
    if (refused) {
      this.update({ notice: verdictNotice(this.words, refused) }, ['busy']);
      return void this.options.verdicts.report(this.api);
    }
    // The guard opens the session only on a verdict it checked itself, over its own nonce.
    if (this.options.guard && (await this.options.guard.unlock(nonce, result)))
      return this.update({ notice: verdictNotice(this.words, 'missing') }, ['busy']);
    if (this.settled()) return;
    // How the OTP was issued is the server's to say; a server that leaves it out (none that accepts includeVia) is read as a request's.
    this.unlock({ sessionId: result.sessionId, email, via: result.via ?? 'otp' });
  }

  private unlock(session: UnlockedSession): void {
    this.sessions.opened(session);
    this.timers.clearTimeout(this.reconnectTimer);
    this.watch.stop();
    this.options.store?.save(undefined);
    this.update({ phase: 'unlocked', email: session.email }, ['busy', 'notice', 'retry', 'nextRequestAt', 'offline']);
    this.options.onUnlocked?.(session);
  }

  /** One heartbeat (SessionFlow). */
  heartbeat(): Promise<void> {
    return this.sessions.heartbeat();
  }

  /** Logoff or shutdown: report the end of the session (best effort, once). */
  endSession(): Promise<void> {
    return this.sessions.end();
  }

  // ---- asking again (relock.ts) ----

  get unlocked(): boolean {
    return this.current.phase === 'unlocked';
  }

  get lastUnlockAt(): number | undefined {
    return this.sessions.lastUnlockAt;
  }

  get askAgain(): { askAgainOnUnlock: boolean; unlockGraceMinutes: number } {
    return { askAgainOnUnlock: this.policy.askAgainOnUnlock, unlockGraceMinutes: this.policy.unlockGraceMinutes };
  }

  /** Locks an unlocked session again; its heartbeats go on until a new OTP unlocks it or it ends. */
  relock(event: SessionEvent): void {
    if (this.disposed || this.current.phase !== 'unlocked') return;
    this.sessions.relock();
    const session = this.sessions.current;
    const email = session?.via === 'exempt' ? undefined : session?.email;
    this.update({ phase: 'locked', popup: 'lock', notice: relockNotice(this.words, event) }, [
      'request',
      'email',
      'busy',
      'retry',
      'nextRequestAt',
    ]);
    void this.refreshPolicy().then(async () => {
      if (this.current.phase !== 'locked') return;
      if (email && this.policy.relockSendsToSessionEmail && this.policy.allowOneTimePasswords && this.sessions.relockOf) {
        await this.requestForRelock(event, email);
      }
      if (this.current.phase === 'locked' && !this.current.notice) this.setNotice(relockNotice(this.words, event));
    });
  }

  /**
   * relockSendsToSessionEmail: the new OTP is asked for at once, for the address this session was
   * unlocked with (the server mails it without approval, once per re-lock). Anything but a sent OTP
   * leaves the plain re-lock notice and the usual ways to request one.
   */
  private async requestForRelock(event: SessionEvent, email: string): Promise<void> {
    const body: OtpRequestBody = {
      osUser: this.options.osUser,
      method: 'email',
      email,
      relockOf: this.sessions.relockOf,
      locale: this.words.locale,
    };
    this.update({ busy: 'request' });
    try {
      const request = await this.api(routes.createOtpRequest, { body });
      this.update({}, ['busy']);
      if (this.settled() || this.current.phase !== 'locked') return;
      this.acceptRequest(request);
      if (request.status === 'sent') this.setNotice(relockNotice(this.words, event, request.email));
    } catch {
      this.update({}, ['busy']);
      if (!this.settled()) this.setNotice(relockNotice(this.words, event));
    }
  }

  get sessionId(): string | undefined {
    return this.sessions.current?.sessionId;
  }

  async signOut(): Promise<void> {
    if (this.settled()) return;
    this.update({ phase: 'signing_out' });
    this.dispose();
    await this.options.onSignOut?.();
  }

  /** Stops every timer; the state stays readable. */
  dispose(): void {
    this.disposed = true;
    for (const timer of [this.reconnectTimer, this.intervalTimer]) this.timers.clearTimeout(timer);
    this.sessions.dispose();
    this.watch.stop();
    this.offlineFlow?.dispose();
  }
}

/** A fetch that gives up after `timeoutMs` (a hung connection must not freeze the lock). */
export function fetchWithTimeout(fetchImpl: typeof globalThis.fetch, timeoutMs = 15_000): FetchLike {
  return async (url, init) => {
    const controller = new AbortController();
    // A status long-poll is held by the server up to waitSeconds: that time comes on top.
    const held = Number(/[?&]waitSeconds=(\d{1,3})(?:&|$)/.exec(url)?.[1] ?? 0) * 1000;
    const timer = setTimeout(() => controller.abort(), timeoutMs + held);
    try {
      return await fetchImpl(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

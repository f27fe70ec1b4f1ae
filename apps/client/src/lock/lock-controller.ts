import {
  ApiError,
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
  type RequestMode,
  type RequestOtpInput,
  type SessionVia,
  type VerifyInput,
  type OfflineUnlockInput,
} from '@latchkey/contracts';
import { backoffDelay, systemTimers, type Timers } from './timers.js';
import { OfflineFlow } from './offline-flow.js';
import type { OfflineUnlocker } from './offline-unlock.js';
import type { GuardLink } from './guard-link.js';
import { relockNotice, type Relockable, type SessionEvent } from './relock.js';
import { verdictNotice, type VerdictHook } from './verdict.js';
import { accessDeniedBecause, errorNotice, inputNotice, intervalNotice, resentNotice, statusNotice, unreachable } from './messages.js';
import { StatusWatch } from './status-watch.js';
import { cancelledNotice, lapsed, readStatus, settledStatus } from './request-flow.js';

/** What survives a restart of the lock (so "Resend" still works after the program was restarted). */
export interface SavedRequest {
  requestId: string;
  email: string;
}
export interface RequestStore {
  load(): SavedRequest | undefined;
  save(value: SavedRequest | undefined): void;
}

export interface UnlockedSession {
  /** Absent after an offline unlock until the server has recorded it. */
  sessionId?: string;
  email: string;
  /** How, as far as this Client knows: its own emergency request, its own request, or none (Generate Password). */
  via: SessionVia;
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
}

type Listener = (state: LockState) => void;

export function requestModeOf(policy: ClientPolicy): RequestMode {
  if (policy.autoSendToDirectoryUsers) return 'directory';
  if (policy.autoSendToInternalUsers) return 'internal';
  return 'email';
}

/** Both automatic options on: the directory form comes first, and may switch to the internal login. */
export function alternativeModeOf(policy: ClientPolicy): RequestMode | undefined {
  return policy.autoSendToDirectoryUsers && policy.autoSendToInternalUsers ? 'internal' : undefined;
}

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
  private heartbeatTimer: unknown;
  private session: UnlockedSession | undefined;
  private requestMethod: RequestOtpInput['method'] | undefined;
  private disposed = false;
  private readonly offlineFlow: OfflineFlow | undefined;
  /** Set while a session unlocked earlier is locked again; its id goes with the next OTP request (relock.ts). */
  private relockOf: string | undefined;
  private lastUnlock: number | undefined;

  constructor(options: LockControllerOptions) {
    this.options = options;
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
    this.current = {
      phase: 'starting',
      popup: 'lock',
      osUser: options.osUser,
      ...(options.computerName ? { computerName: options.computerName } : {}),
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
        adoptSession: (sessionId) => this.adoptSession(sessionId),
        awaitingSession: () => !!this.session && !this.session.sessionId,
        reportIntervalMs: options.heartbeatIntervalMs ?? 60_000,
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
    const next: LockState = { ...this.current, ...patch };
    for (const key of remove) delete next[key];
    const request = next.request;
    next.canResend = !!request && request.status === 'sent' && (request.expiresAt === undefined || request.expiresAt > this.timers.now());
    this.current = next;
    const snapshot = this.state;
    for (const listener of this.listeners) listener(snapshot);
  }

  private setNotice(notice: Notice | undefined): void {
    if (notice) this.update({ notice });
    else this.update({}, ['notice']);
  }

  // ---- start and reconnect ----

  /** Fetches the policy (retrying with backoff while the server cannot be reached) and restores a saved request. */
  async start(): Promise<void> {
    await this.offlineFlow?.start();
    const saved = this.options.store?.load();
    if (saved) this.update({ email: saved.email, request: { requestId: saved.requestId, status: 'sent', email: saved.email } });
    await this.refreshPolicy();
    if (saved && this.current.phase === 'locked') await this.refreshRequest();
    if (this.current.request?.status === 'pending') this.watch.start(this.current.request);
  }

  private applyPolicy(policy: ClientPolicy): void {
    this.policy = policy;
    this.update({
      requestMode: requestModeOf(policy),
      ...(alternativeModeOf(policy) ? { alternativeMode: alternativeModeOf(policy) } : {}),
      otpAllowed: policy.allowOneTimePasswords,
      otpLength: policy.otpLength,
      ...(policy.computerName ? { computerName: policy.computerName } : {}),
    });
    if (!alternativeModeOf(policy)) this.update({}, ['alternativeMode']);
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
      if (!this.policy.allowOneTimePasswords) this.setNotice(errorNotice('otp_not_allowed'));
      return true;
    } catch (err) {
      this.update({}, ['busy']);
      if (!this.settled()) this.handleFailure(err);
      return false;
    }
  }

  /** Server unreachable: stay locked, say so, try again later. Anything else: show what it said. */
  private handleFailure(err: unknown): void {
    if (isUnreachable(err)) {
      this.scheduleReconnect();
      return;
    }
    if (err instanceof ApiError) {
      this.setNotice(errorNotice(err.code, err.retryAfterSeconds));
      if (this.current.phase === 'starting') this.update({ phase: 'locked' });
      return;
    }
    this.setNotice(errorNotice('internal_error'));
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.current.phase === 'unlocked') return;
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectAttempt += 1;
    const delay = backoffDelay(this.reconnectAttempt, this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 }, this.random);
    const at = this.timers.now() + delay;
    this.update({ phase: 'offline', retry: { attempt: this.reconnectAttempt, at }, notice: unreachable() });
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
    if (this.current.notice?.code !== 'otp_interval') this.setNotice(undefined);
    await this.refreshPolicy();
  }

  showLock(): void {
    if (this.settled()) return;
    const keep = this.current.request && this.current.notice?.code !== 'otp_interval' ? statusNotice(this.current.request) : undefined;
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
    if (this.relockOf) body.relockOf = this.relockOf;
    if (input.method === 'internal') {
      body.login = input.login!.trim();
      body.password = input.password!;
    }
    this.update({ busy: 'request' }, ['notice']);
    try {
      const request = await this.api(routes.createOtpRequest, { body });
      this.requestMethod = input.method;
      this.acceptRequest(request);
    } catch (err) {
      this.update({}, ['busy']);
      if (err instanceof ApiError && err.code === 'otp_interval') {
        const nextRequestAt = this.timers.now() + (err.retryAfterSeconds ?? 60) * 1000;
        this.update({ nextRequestAt });
        this.setNotice(intervalNotice(nextRequestAt, this.timers.now(), this.current.canResend));
        return;
      }
      if (err instanceof ApiError && err.code === 'method_not_allowed')
        void this.refreshPolicy().then(() => this.setNotice(errorNotice('method_not_allowed')));
      this.handleFailure(err);
    }
  }

  private checkRequestInput(input: RequestOtpInput): Notice | undefined {
    if (!this.policy.allowOneTimePasswords) return errorNotice('otp_not_allowed');
    const mode = this.current.requestMode;
    if (input.method === 'email' && mode !== 'email') return errorNotice('method_not_allowed');
    const allowed = input.method === mode || input.method === this.current.alternativeMode;
    if ((input.method === 'directory' || input.method === 'internal') && !allowed) return errorNotice('method_not_allowed');
    if (input.method === 'email' || input.method === 'emergency') {
      const email = input.email?.trim() ?? '';
      if (!email) return inputNotice('email_missing', 'Enter your email address.');
      if (!isValidEmail(email)) return inputNotice('email_invalid', 'Enter a valid email address, like name@example.com.');
      if (input.reason && !isSafeMultilineText(input.reason)) {
        return inputNotice('reason_invalid', 'The reason has invisible or control characters. Type it again without them.');
      }
    }
    if (input.method === 'internal') {
      if (!input.login?.trim()) return inputNotice('login_missing', 'Enter your login name.');
      if (!isValidLoginName(input.login.trim())) return errorNotice('invalid_credentials');
      if (!input.password) return inputNotice('password_missing', 'Enter your password.');
    }
    return undefined;
  }

  private acceptRequest(request: OtpRequestState): void {
    this.options.store?.save({ requestId: request.requestId, email: request.email });
    this.update({ request, email: request.email, popup: 'lock', notice: statusNotice(request) }, ['busy', 'nextRequestAt']);
    this.watch.start(request);
  }

  /** A status from the server (or the local expiry) for the current request: words, Resend and the saved request follow it. */
  private applyRequest(answer: OtpRequestState): void {
    const known = this.current.request;
    if (!known || known.requestId !== answer.requestId || this.settled()) return;
    const request = readStatus(answer, this.timers.now());
    const changed = request.status !== known.status || known.expiresAt === undefined;
    this.update({ request });
    if (changed && this.current.notice?.code !== 'otp_interval') this.setNotice(statusNotice(request));
    if (settledStatus(request.status)) {
      this.options.store?.save(undefined);
      // A code was sent to this address (used, burnt, expired): it stays shown. Denied, lapsed, cancelled: the field is free again.
      const codeWasSent = request.status === 'used' || request.status === 'burnt' || (request.status === 'expired' && !lapsed(request));
      if (!codeWasSent) this.update({}, ['email']);
    }
    this.watch.follow(request);
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

  /** "Use a different email": withdraws the pending request and opens the request form again with its address to correct. */
  async cancelRequest(): Promise<void> {
    const request = this.current.request;
    if (!request || request.status !== 'pending' || this.current.busy || this.settled()) return;
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
    this.update({ popup: 'request', notice: cancelledNotice(request.email) }, ['busy', 'request', 'email']);
  }

  async resend(): Promise<void> {
    const request = this.current.request;
    if (!request || this.current.busy === 'resend' || this.settled()) return;
    this.update({ busy: 'resend' });
    try {
      const resent = await this.api(routes.resendOtp, { params: { requestId: request.requestId } });
      this.update({ request: resent, email: resent.email, popup: 'lock', notice: resentNotice(resent.email) }, ['busy']);
    } catch (err) {
      this.update({}, ['busy']);
      if (err instanceof ApiError && err.code === 'not_resendable') {
        await this.refreshRequest();
        this.setNotice(errorNotice('not_resendable'));
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
    if (!email) return this.setNotice(inputNotice('email_missing', 'Enter your email address.'));
    if (!isValidEmail(email)) return this.setNotice(inputNotice('email_invalid', 'Enter a valid email address, like name@example.com.'));
    if (!new RegExp(`^[0-9]{${this.current.otpLength}}$`).test(otp)) {
      return this.setNotice(inputNotice('otp_format', `Enter the ${this.current.otpLength}-digit one-time password from the email.`));
    }
    this.update({ busy: 'verify' }, ['notice']);
    let result;
    let nonce: string;
    try {
      nonce = this.options.guard ? await this.options.guard.nonce() : this.options.verdicts.nonce();
      result = await this.api(routes.verifyOtp, { body: { osUser: this.options.osUser, email, otp, nonce } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'access_denied') {
        this.update({ notice: errorNotice('access_denied') }, ['busy']);
        // The server says the same for every failure; the request's status can tell the person more.
        await this.refreshRequest();
        const request = this.current.request;
        const because = request && settledStatus(request.status) ? accessDeniedBecause(request) : undefined;
        this.setNotice(because ?? errorNotice('access_denied'));
        return;
      }
      if (err instanceof ApiError && err.code === 'bad_response' && err.status === 200) {
        // The contract requires a verdict (v1.2), so a 200 without one (a forgery) fails the answer's check.
        this.options.verdicts.record({ osUser: this.options.osUser, reason: 'missing', at: this.timers.now() });
        this.update({ notice: verdictNotice('missing') }, ['busy']);
        return void this.options.verdicts.report(this.api);
      }
      this.update({}, ['busy']);
      this.handleFailure(err);
      return;
    }
    if (this.settled()) return;
    const refused = await this.options.verdicts.refuse(result, this.options.osUser, nonce);
    if (refused) {
      this.update({ notice: verdictNotice(refused) }, ['busy']);
      return void this.options.verdicts.report(this.api);
    }
    // The guard opens the session only on a verdict it checked itself, over its own nonce.
    if (this.options.guard && (await this.options.guard.unlock(nonce, result)))
      return this.update({ notice: verdictNotice('missing') }, ['busy']);
    if (this.settled()) return;
    const via: SessionVia = !this.current.request ? 'generated' : this.requestMethod === 'emergency' ? 'emergency' : 'otp';
    this.unlock({ sessionId: result.sessionId, email, via });
  }

  private unlock(session: UnlockedSession): void {
    // The server ended the re-locked session if this OTP used its allowance; otherwise end it here.
    if (this.session && this.session.sessionId !== session.sessionId) void this.endSession();
    this.session = session;
    this.relockOf = undefined;
    this.lastUnlock = this.timers.now();
    this.timers.clearTimeout(this.reconnectTimer);
    this.watch.stop();
    this.options.store?.save(undefined);
    this.update({ phase: 'unlocked', email: session.email }, ['busy', 'notice', 'retry', 'nextRequestAt', 'offline']);
    if (session.sessionId) this.scheduleHeartbeat();
    this.options.onUnlocked?.(session);
  }

  private adoptSession(sessionId: string): void {
    if (!this.session) return;
    this.session.sessionId = sessionId;
    this.scheduleHeartbeat();
    this.options.onSessionRecorded?.({ ...this.session, sessionId }, this.lastUnlock ?? this.timers.now());
  }

  private scheduleHeartbeat(): void {
    this.timers.clearTimeout(this.heartbeatTimer);
    if (!this.session || this.disposed) return;
    this.heartbeatTimer = this.timers.setTimeout(() => void this.heartbeat(), this.options.heartbeatIntervalMs ?? 60_000);
  }

  /** One heartbeat; a session the server has ended (404/409) stops them, a network failure does not. */
  async heartbeat(): Promise<void> {
    const session = this.session;
    if (!session?.sessionId) return;
    try {
      await this.api(routes.heartbeat, { params: { sessionId: session.sessionId } });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409 || err.status === 401)) {
        this.session = undefined;
        return;
      }
    }
    this.scheduleHeartbeat();
  }

  /** Logoff or shutdown: report the end of the session (best effort, once). */
  async endSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.timers.clearTimeout(this.heartbeatTimer);
    if (!session?.sessionId) return;
    try {
      await this.api(routes.endSession, { params: { sessionId: session.sessionId } });
    } catch {
      // The server closes sessions that stop sending heartbeats.
    }
  }

  // ---- asking again (relock.ts) ----

  get unlocked(): boolean {
    return this.current.phase === 'unlocked';
  }

  get lastUnlockAt(): number | undefined {
    return this.lastUnlock;
  }

  get askAgain(): { askAgainOnUnlock: boolean; unlockGraceMinutes: number } {
    return { askAgainOnUnlock: this.policy.askAgainOnUnlock, unlockGraceMinutes: this.policy.unlockGraceMinutes };
  }

  /** Locks an unlocked session again; its heartbeats go on until a new OTP unlocks it or it ends. */
  relock(event: SessionEvent): void {
    if (this.disposed || this.current.phase !== 'unlocked') return;
    this.relockOf = this.session?.sessionId;
    this.update({ phase: 'locked', popup: 'lock', notice: relockNotice(event) }, ['request', 'busy', 'retry', 'nextRequestAt']);
    void this.refreshPolicy().then(() => {
      if (this.current.phase === 'locked' && !this.current.notice) this.setNotice(relockNotice(event));
    });
  }

  get sessionId(): string | undefined {
    return this.session?.sessionId;
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
    for (const timer of [this.reconnectTimer, this.heartbeatTimer]) this.timers.clearTimeout(timer);
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

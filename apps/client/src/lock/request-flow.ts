import {
  ApiError,
  routes,
  type ApiClient,
  type ClientPolicy,
  type LockState,
  type Notice,
  type OtpRequestBody,
  type OtpRequestState,
  type RequestOtpInput,
  type VerifyInput,
  type VerifyResult,
} from '@latchkey/contracts';
import type { Timers } from './timers.js';
import type { GuardLink } from './guard-link.js';
import type { UnlockedSession } from './session-flow.js';
import { relockNotice, type SessionEvent } from './relock.js';
import type { VerdictHook } from './verdict.js';
import { errorNotice, type Words } from './messages.js';
import { nextState, showsInterval, withBusy, withNotice, type Change } from './lock-state.js';
import { isUnreachable, settledStatus } from './request-status.js';
import {
  accessDenied,
  cancelled,
  checkRequestInput,
  checkVerifyInput,
  intervalRefused,
  intervalTick,
  lockPopup,
  requestBody,
  requestGone,
  requestPopup,
  requested,
  resent,
  statusRead,
  verdictRefused,
} from './request-state.js';
import { StatusWatch } from './status-watch.js';

/** What survives a restart of the lock (so "Resend" still works after the program was restarted). */
export interface SavedRequest {
  requestId: string;
  email: string;
}
export interface RequestStore {
  load(): SavedRequest | undefined;
  save(value: SavedRequest | undefined): void;
}

/** What the lock controller lends the request flow. */
export interface RequestFlowHost {
  api: ApiClient;
  timers: Timers;
  random: () => number;
  /** Status polling of a request waiting for approval. */
  pollIntervalMs: number;
  words: Words;
  osUser: string;
  store: RequestStore | undefined;
  verdicts: VerdictHook;
  guard: Pick<GuardLink, 'nonce' | 'unlock'> | undefined;
  state(): LockState;
  policy(): ClientPolicy;
  /** Publishes the state `change` makes of the current one. */
  apply(change: Change): void;
  /** Whether the lock opened (or is closing) already: late answers change nothing then. */
  settled(): boolean;
  /** The session a re-lock asks a new OTP for (SessionFlow.relockOf). */
  relockOf(): string | undefined;
  unlock(session: UnlockedSession): void;
  refreshPolicy(): Promise<boolean>;
  /** A failure the request flow has no words of its own for: reconnecting when unreachable, else the error's notice. */
  failed(err: unknown): void;
  /** The server stopped answering: offline, trying again later. */
  reconnect(): void;
}

/**
 * Requesting an OTP and using it, as the lock controller runs it (like OfflineFlow and SessionFlow):
 * a request in each method (emergency and the re-lock's too), its status followed (StatusWatch's
 * long-poll), Resend, "Use a different email" and "Wrong address?", the interval refusal counting
 * down, and the verify with its signed verdict. Every state change is a pure function
 * (request-state.ts, lock-state.ts); this class holds the calls, the timers and the saved request.
 */
export class RequestFlow {
  private readonly watch: StatusWatch;
  private intervalTimer: unknown;
  private disposed = false;

  constructor(private readonly host: RequestFlowHost) {
    this.watch = new StatusWatch({
      api: host.api,
      timers: host.timers,
      random: host.random,
      pollIntervalMs: host.pollIntervalMs,
      onStatus: (request) => this.statusArrived(request),
      onFailure: (err) => this.statusFailed(err),
      onExpired: (request) => {
        if (this.host.state().request?.requestId === request.requestId && !this.host.settled())
          this.statusArrived({ ...request, status: 'expired' });
      },
    });
  }

  private say(notice: Notice | undefined): void {
    this.host.apply((state, now) => withNotice(state, notice, now));
  }

  /** The request saved before a restart, shown as sent until the server says more (resume). true when there was one. */
  restore(): boolean {
    const saved = this.host.store?.load();
    if (!saved) return false;
    const request: OtpRequestState = { requestId: saved.requestId, status: 'sent', email: saved.email };
    this.host.apply((state, now) => nextState(state, { email: saved.email, request }, [], now));
    return true;
  }

  /** Once the policy was fetched at start: the restored request's status asked for, a pending one followed. */
  async resume(restored: boolean): Promise<void> {
    if (restored && this.host.state().phase === 'locked') await this.refresh();
    const { request } = this.host.state();
    if (request?.status === 'pending') this.watch.start(request);
  }

  /**
   * Called with each state the controller publishes. While an interval refusal is shown, its minutes
   * count down: the notice is written again at each minute's turn, and says "now" once the time has come.
   */
  followInterval(): void {
    const { timers } = this.host;
    timers.clearTimeout(this.intervalTimer);
    const state = this.host.state();
    if (!showsInterval(state) || state.nextRequestAt === undefined || this.disposed) return;
    const step = (state.nextRequestAt - timers.now()) % 60_000 || 60_000;
    this.intervalTimer = timers.setTimeout(
      () => this.host.apply((current, now) => intervalTick(current, this.host.words, now)),
      Math.max(0, step),
    );
  }

  /** The request pop-up, with the policy fetched again so the form matches the server's settings. */
  async showRequest(): Promise<void> {
    if (this.host.settled()) return;
    this.host.apply((state, now) => requestPopup(state, this.host.words, now));
    await this.host.refreshPolicy();
  }

  showLock(): void {
    if (this.host.settled()) return;
    this.host.apply((state, now) => lockPopup(state, this.host.words, now));
  }

  async request(input: RequestOtpInput): Promise<void> {
    const { host } = this;
    const w = host.words;
    if (host.state().busy === 'request' || host.settled()) return;
    const problem = checkRequestInput(input, host.policy(), w);
    if (problem) return this.say(problem);
    const body = requestBody(input, { osUser: host.osUser, relockOf: host.relockOf(), locale: w.locale });
    host.apply((state, now) => nextState(state, { busy: 'request' }, ['notice'], now));
    try {
      this.accept(await host.api(routes.createOtpRequest, { body }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'otp_interval') {
        return host.apply((state, now) => intervalRefused(state, err.retryAfterSeconds, w, now));
      }
      host.apply((state, now) => withBusy(state, undefined, now));
      if (err instanceof ApiError && err.code === 'method_not_allowed')
        void host.refreshPolicy().then(() => this.say(errorNotice(w, 'method_not_allowed')));
      host.failed(err);
    }
  }

  private accept(request: OtpRequestState): void {
    this.host.store?.save({ requestId: request.requestId, email: request.email });
    this.host.apply((state, now) => requested(state, request, this.host.words, now));
    this.watch.start(request);
  }

  /**
   * relockSendsToSessionEmail: the new OTP is asked for at once, for the address this session was
   * unlocked with (the server mails it without approval, once per re-lock). Anything but a sent OTP
   * leaves the plain re-lock notice and the usual ways to request one.
   */
  async requestForRelock(event: SessionEvent, email: string): Promise<void> {
    const { host } = this;
    const body: OtpRequestBody = { osUser: host.osUser, method: 'email', email, relockOf: host.relockOf(), locale: host.words.locale };
    host.apply((state, now) => withBusy(state, 'request', now));
    try {
      const request = await host.api(routes.createOtpRequest, { body });
      host.apply((state, now) => withBusy(state, undefined, now));
      if (host.settled() || host.state().phase !== 'locked') return;
      this.accept(request);
      if (request.status === 'sent') this.say(relockNotice(host.words, event, request.email));
    } catch {
      host.apply((state, now) => withBusy(state, undefined, now));
      if (!host.settled()) this.say(relockNotice(host.words, event));
    }
  }

  /** A status from the server (or the local expiry) for the current request: words, Resend and the saved request follow it. */
  private statusArrived(answer: OtpRequestState): void {
    const known = this.host.state().request;
    if (!known || known.requestId !== answer.requestId || this.host.settled()) return;
    this.host.apply((state, now) => statusRead(state, answer, this.host.policy(), this.host.words, now));
    const { request } = this.host.state();
    if (request && settledStatus(request.status)) this.host.store?.save(undefined);
    this.watch.follow(request);
  }

  private statusFailed(err: unknown): void {
    if (this.host.settled()) return;
    if (err instanceof ApiError && err.status === 404) {
      this.forget();
      this.host.apply(requestGone);
      return;
    }
    if (isUnreachable(err) && this.host.state().phase !== 'offline') this.host.reconnect();
  }

  /** Asks the server for the status of the last request now (the watch keeps following a pending one). */
  async refresh(): Promise<void> {
    const known = this.host.state().request;
    if (!known || this.host.settled()) return;
    try {
      this.statusArrived(await this.host.api(routes.getOtpRequest, { params: { requestId: known.requestId } }));
    } catch (err) {
      this.statusFailed(err);
    }
  }

  /**
   * "Use a different email" (pending) and "Wrong address?" (sent): withdraws the request (a sent
   * OTP stops working, and the next request is not refused by the interval) and opens the request
   * form again with its address to correct.
   */
  async cancel(): Promise<void> {
    const { host } = this;
    const state = host.state();
    const request = state.request;
    const open = request?.status === 'pending' || (request?.status === 'sent' && state.canResend);
    if (!request || !open || state.busy || host.settled()) return;
    host.apply((current, now) => withBusy(current, 'cancel', now));
    try {
      await host.api(routes.cancelOtpRequest, { params: { requestId: request.requestId } });
    } catch (err) {
      host.apply((current, now) => withBusy(current, undefined, now));
      // Decided meanwhile (approved, denied, lapsed): show what it is now instead.
      if (err instanceof ApiError && err.code === 'not_pending') return this.refresh();
      return host.failed(err);
    }
    if (host.settled()) return;
    this.forget();
    host.apply((current, now) => cancelled(current, request.email, host.words, now));
  }

  async resend(): Promise<void> {
    const { host } = this;
    const request = host.state().request;
    if (!request || host.state().busy === 'resend' || host.settled()) return;
    host.apply((state, now) => withBusy(state, 'resend', now));
    try {
      const answer = await host.api(routes.resendOtp, { params: { requestId: request.requestId } });
      host.apply((state, now) => resent(state, answer, host.words, now));
    } catch (err) {
      host.apply((state, now) => withBusy(state, undefined, now));
      if (err instanceof ApiError && err.code === 'not_resendable') {
        await this.refresh();
        return this.say(errorNotice(host.words, 'not_resendable'));
      }
      host.failed(err);
    }
  }

  async verify(input: VerifyInput): Promise<void> {
    const { host } = this;
    const w = host.words;
    if (host.state().busy === 'verify' || host.settled()) return;
    const checked = checkVerifyInput(host.state(), input, w);
    if ('problem' in checked) return this.say(checked.problem);
    const { email, otp } = checked;
    host.apply((state, now) => nextState(state, { busy: 'verify' }, ['notice'], now));
    let result: VerifyResult;
    let nonce: string;
    try {
      nonce = host.guard ? await host.guard.nonce() : host.verdicts.nonce();
      result = await host.api(routes.verifyOtp, { body: { osUser: host.osUser, email, otp, nonce, includeVia: true } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'access_denied') {
        // The server says the same for every failure; the request's status (and the attempts left)
        // can tell the person more: one notice, once that is known.
        await this.refresh();
        if (host.settled()) return;
        return host.apply((state, now) => accessDenied(state, w, now));
      }
      if (err instanceof ApiError && err.code === 'bad_response' && err.status === 200) {
        // The contract requires a verdict (v1.2), so a 200 without one (a forgery) fails the answer's check.
        host.verdicts.record({ osUser: host.osUser, reason: 'missing', at: host.timers.now() });
        host.apply((state, now) => verdictRefused(state, 'missing', w, now));
        return void host.verdicts.report(host.api);
      }
      host.apply((state, now) => withBusy(state, undefined, now));
      return host.failed(err);
    }
    if (host.settled()) return;
    const refused = await host.verdicts.refuse(result, host.osUser, nonce);
    if (refused) {
      host.apply((state, now) => verdictRefused(state, refused, w, now));
      return void host.verdicts.report(host.api);
    }
    // The guard opens the session only on a verdict it checked itself, over its own nonce.
    if (host.guard && (await host.guard.unlock(nonce, result))) return host.apply((state, now) => verdictRefused(state, 'missing', w, now));
    if (host.settled()) return;
    // How the OTP was issued is the server's to say; only a server that ignored includeVia leaves it out.
    host.unlock({ sessionId: result.sessionId, email, via: result.via ?? 'otp' });
  }

  /** The lock opened: nothing of the request is followed or kept any more. */
  closed(): void {
    this.forget();
  }

  private forget(): void {
    this.watch.stop();
    this.host.store?.save(undefined);
  }

  dispose(): void {
    this.disposed = true;
    this.host.timers.clearTimeout(this.intervalTimer);
    this.watch.stop();
  }
}

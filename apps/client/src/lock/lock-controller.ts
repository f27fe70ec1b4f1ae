import {
  ApiError,
  createApiClient,
  DEFAULT_POLICY,
  routes,
  type ApiClient,
  type ClientPolicy,
  type FetchLike,
  type LockState,
  type Notice,
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
import type { VerdictHook } from './verdict.js';
import { errorNotice, guardUnverified, unreachable, wordsFor, type Words } from './messages.js';
import { SessionFlow, type UnlockedSession } from './session-flow.js';
import { RequestFlow, type RequestStore } from './request-flow.js';
import { nextState, offline, online, relocked, unlocked, withBusy, withNotice, withPolicy, type Change } from './lock-state.js';
import { isUnreachable } from './request-status.js';
import { decideAtStart, localExemption, type DecisionHost } from './lock-decision.js';

export type { RequestStore, SavedRequest } from './request-flow.js';
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

/**
 * The lock's logic, with no Electron or DOM in it. It holds the lock's state and composes the flows
 * that change it (each change a pure function of the state, lock-state.ts and request-flow.ts):
 * the policy and reconnecting here; requesting and verifying an OTP in RequestFlow, the unlocked
 * session in SessionFlow, the offline unlock in OfflineFlow. It only ever unlocks on a verified OTP;
 * every failure leaves it locked with a notice saying what happened.
 */
export class LockController implements Relockable {
  private readonly api: ApiClient;
  private readonly timers: Timers;
  private readonly options: LockControllerOptions;
  private readonly listeners = new Set<Listener>();
  private readonly requests: RequestFlow;
  private readonly sessions: SessionFlow;
  private readonly offlineFlow: OfflineFlow | undefined;
  private readonly reconnect: { timer: unknown; attempt: number } = { timer: undefined, attempt: 0 };
  private policy: ClientPolicy = DEFAULT_POLICY;
  private current: LockState;
  private disposed = false;
  /** Whether the lock-decision was asked (and answered) since the start. */
  private decided = false;
  /** The lock's language. */
  readonly words: Words;

  constructor(options: LockControllerOptions) {
    this.options = options;
    this.words = wordsFor(options.locale);
    this.timers = options.timers ?? systemTimers;
    this.api = createApiClient({ baseUrl: options.baseUrl, fetch: options.fetch, token: options.clientToken });
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
    this.sessions = new SessionFlow({
      api: this.api,
      timers: this.timers,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
      ...(options.onSessionRecorded ? { onSessionRecorded: options.onSessionRecorded } : {}),
    });
    this.requests = new RequestFlow({
      api: this.api,
      timers: this.timers,
      random: options.random ?? Math.random,
      pollIntervalMs: options.pollIntervalMs ?? 3_000,
      words: this.words,
      osUser: options.osUser,
      store: options.store,
      verdicts: options.verdicts,
      guard: options.guard,
      state: () => this.current,
      policy: () => this.policy,
      apply: (change) => this.apply(change),
      settled: () => this.settled(),
      relockOf: () => this.sessions.relockOf,
      unlock: (session) => this.unlock(session),
      refreshPolicy: () => this.refreshPolicy(),
      failed: (err) => this.handleFailure(err),
      reconnect: () => this.scheduleReconnect(),
    });
    this.offlineFlow =
      options.offline &&
      new OfflineFlow(options.offline, {
        api: this.api,
        timers: this.timers,
        state: () => this.current,
        update: (patch, remove = []) => this.apply((state, now) => nextState(state, patch, remove, now)),
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

  /** Publishes the state `change` makes of the current one (nothing when it changes nothing). */
  private apply(change: Change): void {
    const next = change(this.current, this.timers.now());
    if (next === this.current) return;
    this.current = next;
    this.requests.followInterval();
    const snapshot = this.state;
    for (const listener of this.listeners) listener(snapshot);
  }

  private say(notice: Notice | undefined): void {
    this.apply((state, now) => withNotice(state, notice, now));
  }

  // ---- start and reconnect ----

  /** Fetches the policy (retrying with backoff while the server cannot be reached) and restores a saved request. */
  async start(): Promise<void> {
    await this.offlineFlow?.start();
    const kept = this.options.policyStore?.load();
    if (kept) this.applyPolicy(kept, false);
    const restored = this.requests.restore();
    const answered = await this.refreshPolicy();
    // No server: only a local break-glass account of the policy this computer holds stays open.
    if (!answered && this.options.lockDecision && !this.decided && localExemption(this.options.osUser, this.current.computerName, kept)) {
      this.decided = true;
      return this.unlock({ email: '', via: 'exempt' });
    }
    if (this.settled()) return;
    await this.requests.resume(restored);
  }

  private applyPolicy(policy: ClientPolicy, fromServer = true): void {
    this.policy = policy;
    if (fromServer) this.options.policyStore?.save(policy);
    this.apply((state, now) => withPolicy(state, policy, now));
  }

  /** Unlocked, signing out or disposed: late answers must not change the state any more. */
  private settled(): boolean {
    return this.disposed || this.current.phase === 'unlocked' || this.current.phase === 'signing_out';
  }

  /** true when the server answered. */
  private async refreshPolicy(): Promise<boolean> {
    if (this.current.phase === 'unlocked') return true;
    this.apply((state, now) => withBusy(state, 'policy', now));
    try {
      const policy = await this.api(routes.getPolicy, this.offlineFlow ? { query: this.offlineFlow.policyQuery() } : {});
      void this.offlineFlow?.online(policy);
      if (this.settled()) return true;
      this.applyPolicy(policy);
      this.timers.clearTimeout(this.reconnect.timer);
      this.reconnect.attempt = 0;
      this.apply(online);
      void this.options.verdicts.report(this.api);
      if (!this.policy.allowOneTimePasswords) this.say(errorNotice(this.words, 'otp_not_allowed'));
      if (this.options.lockDecision && !this.decided) await this.decide(this.options.lockDecision);
      return true;
    } catch (err) {
      this.apply((state, now) => withBusy(state, undefined, now));
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
    if (outcome.kind === 'refused') this.say(outcome.notice);
    // unreachable or 'lock': the lock stays; ask again at the next start.
    if (outcome.kind === 'unreachable') this.decided = false;
  }

  /** Server unreachable: stay locked, say so, try again later. Anything else: show what it said. */
  private handleFailure(err: unknown): void {
    if (isUnreachable(err)) return this.scheduleReconnect();
    if (!(err instanceof ApiError)) return this.say(errorNotice(this.words, 'internal_error'));
    this.say(errorNotice(this.words, err.code, err.retryAfterSeconds));
    if (this.current.phase === 'starting') this.apply((state, now) => nextState(state, { phase: 'locked' }, [], now));
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.current.phase === 'unlocked') return;
    this.timers.clearTimeout(this.reconnect.timer);
    const attempt = (this.reconnect.attempt += 1);
    const delay = backoffDelay(attempt, this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 }, this.options.random ?? Math.random);
    const notice = this.options.guardUnverified ? guardUnverified(this.words) : unreachable(this.words);
    this.apply((state, now) => offline(state, { attempt, at: now + delay }, notice, now));
    this.reconnect.timer = this.timers.setTimeout(() => void this.refreshPolicy(), delay);
    this.offlineFlow?.unreachable(attempt);
  }

  /** "Try again now" while offline. */
  async retryNow(): Promise<void> {
    this.timers.clearTimeout(this.reconnect.timer);
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
  showRequest(): Promise<void> {
    return this.requests.showRequest();
  }

  showLock(): void {
    this.requests.showLock();
  }

  // ---- requesting and verifying (RequestFlow) ----

  requestOtp(input: RequestOtpInput): Promise<void> {
    return this.requests.request(input);
  }

  /** Asks the server for the status of the last request now (the watch keeps following a pending one). */
  refreshRequest(): Promise<void> {
    return this.requests.refresh();
  }

  /** "Use a different email" (pending) and "Wrong address?" (sent). */
  cancelRequest(): Promise<void> {
    return this.requests.cancel();
  }

  resend(): Promise<void> {
    return this.requests.resend();
  }

  verify(input: VerifyInput): Promise<void> {
    return this.requests.verify(input);
  }

  // ---- the session (SessionFlow) ----

  private unlock(session: UnlockedSession): void {
    this.sessions.opened(session);
    this.timers.clearTimeout(this.reconnect.timer);
    this.requests.closed();
    this.apply((state, now) => unlocked(state, session.email, now));
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
    this.apply((state, now) => relocked(state, relockNotice(this.words, event), now));
    void this.refreshPolicy().then(async () => {
      if (this.current.phase !== 'locked') return;
      // relockSendsToSessionEmail: the new OTP is asked for at once, for the address this session was unlocked with.
      if (email && this.policy.relockSendsToSessionEmail && this.policy.allowOneTimePasswords && this.sessions.relockOf) {
        await this.requests.requestForRelock(event, email);
      }
      if (this.current.phase === 'locked' && !this.current.notice) this.say(relockNotice(this.words, event));
    });
  }

  get sessionId(): string | undefined {
    return this.sessions.current?.sessionId;
  }

  async signOut(): Promise<void> {
    if (this.settled()) return;
    this.apply((state, now) => nextState(state, { phase: 'signing_out' }, [], now));
    this.dispose();
    await this.options.onSignOut?.();
  }

  /** Stops every timer; the state stays readable. */
  dispose(): void {
    this.disposed = true;
    this.timers.clearTimeout(this.reconnect.timer);
    this.sessions.dispose();
    this.requests.dispose();
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

import { ApiError, MAX_STATUS_WAIT_SECONDS, routes, type ApiClient, type OtpRequestState } from '@latchkey/contracts';
import { backoffDelay, type Timers } from './timers.js';

export interface StatusWatchOptions {
  api: ApiClient;
  timers: Timers;
  random: () => number;
  /** Plain polling period: the fallback, and the least time between two status calls that came back at once. */
  pollIntervalMs: number;
  /** A fresh status from the server for the request being watched. */
  onStatus: (request: OtpRequestState) => void;
  /** The status call failed (404 included); the watch retries with backoff unless told to stop. */
  onFailure: (err: unknown) => void;
  /** A sent OTP's expiry passed on this computer's clock. */
  onExpired: (request: OtpRequestState) => void;
}

/** Long-poll failures in a row after which the watch falls back to plain polling (a proxy cutting held calls). */
const LONG_POLL_GIVE_UP = 2;

/**
 * Keeps the lock's view of its request current. A pending request is watched with a long-poll
 * (`?waitSeconds=25`): the server answers when a person decides, so the lock hears it within a
 * second. An answer that came back at once without a change (a server or proxy that does not hold
 * calls) is followed by the next call only after `pollIntervalMs`, so the fallback is plain polling,
 * never a busy loop. A sent OTP gets one timer at its expiry, so the words and Resend follow it.
 */
export class StatusWatch {
  private readonly options: StatusWatchOptions;
  private generation = 0;
  private watched: string | undefined;
  private pollTimer: unknown;
  private expiryTimer: unknown;
  private failures = 0;
  private longPoll = true;

  constructor(options: StatusWatchOptions) {
    this.options = options;
  }

  /** Follows `request` from now on (or stops, for undefined and settled requests). */
  follow(request: OtpRequestState | undefined): void {
    const { timers } = this.options;
    if (request?.requestId !== this.watched) {
      this.stop();
      this.watched = request?.requestId;
      this.longPoll = true;
      this.failures = 0;
    }
    timers.clearTimeout(this.expiryTimer);
    if (!request) return;
    if (request.status === 'sent' && request.expiresAt !== undefined) {
      const left = Math.max(0, request.expiresAt - timers.now());
      this.expiryTimer = timers.setTimeout(() => this.options.onExpired(request), left);
    }
    if (request.status !== 'pending') {
      timers.clearTimeout(this.pollTimer);
      this.generation += 1;
    }
  }

  /** Starts watching a pending request now (no wait before the first call). */
  start(request: OtpRequestState): void {
    this.follow(request);
    if (request.status !== 'pending') return;
    this.options.timers.clearTimeout(this.pollTimer);
    void this.poll(request.requestId, ++this.generation);
  }

  stop(): void {
    this.generation += 1;
    this.watched = undefined;
    this.options.timers.clearTimeout(this.pollTimer);
    this.options.timers.clearTimeout(this.expiryTimer);
  }

  private async poll(requestId: string, generation: number): Promise<void> {
    const { api, timers } = this.options;
    const started = timers.now();
    let still: boolean;
    try {
      const query = this.longPoll ? { waitSeconds: String(MAX_STATUS_WAIT_SECONDS) } : {};
      const request = await api(routes.getOtpRequest, { params: { requestId }, query });
      if (generation !== this.generation) return;
      this.failures = 0;
      this.options.onStatus(request);
      still = request.status === 'pending';
    } catch (err) {
      if (generation !== this.generation) return;
      this.failures += 1;
      if (this.failures >= LONG_POLL_GIVE_UP) this.longPoll = false;
      this.options.onFailure(err);
      still = !(err instanceof ApiError && err.status === 404);
    }
    if (!still || generation !== this.generation) return;
    const { pollIntervalMs } = this.options;
    const delay =
      this.failures > 0
        ? backoffDelay(this.failures, { initialMs: pollIntervalMs, maxMs: 60_000 }, this.options.random)
        : Math.max(0, pollIntervalMs - (timers.now() - started));
    this.pollTimer = timers.setTimeout(() => void this.poll(requestId, generation), delay);
  }
}

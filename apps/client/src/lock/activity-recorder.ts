import {
  ACTIVITY_BATCH_MAX,
  ApiError,
  createApiClient,
  routes,
  type ActivityEventType,
  type ApiClient,
  type FetchLike,
  type SessionVia,
} from '@latchkey/contracts';
import { backoffDelay, systemTimers, type Timers } from './timers.js';
import { ActivityOutbox, type ActivityOutboxStore, type PendingActivity } from './activity-outbox.js';
import type { SessionEvent } from './relock.js';

export interface ActivityRecorderOptions {
  baseUrl: string;
  fetch: FetchLike;
  clientToken: () => string | undefined;
  store: ActivityOutboxStore;
  timers?: Timers;
  random?: () => number;
  /** Events are gathered this long before a batch is sent (one request per Client per interval, not per event). */
  batchDelayMs?: number;
  /** Retry after a failed send: exponential with jitter between these. */
  backoff?: { initialMs: number; maxMs: number };
  /** A batch the server refused for good (never retried); for the log, with no event content. */
  onDropped?: (count: number, code: string) => void;
}

/** How the desktop was unlocked, as an event type. */
export function unlockEventType(via: SessionVia | 'offline'): ActivityEventType {
  return `unlock.${via}`;
}

/** The activity event for a session event of the re-lock gate (the preview's simulate buttons). */
export function activityOfSessionEvent(event: SessionEvent): ActivityEventType {
  return event === 'windows-unlock' ? 'screen.unlocked' : event === 'reconnect' ? 'remote.connected' : 'resume';
}

/** A failure worth trying again later: the server was not reached, was busy, or did not know this Client right now. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 401 || err.status === 408 || err.status === 429 || err.status >= 500;
}

/**
 * Records the session's activity (the seed's step 7) and sends it to the server in batches. Only the
 * event types of the contract: when, never what (no screen, keys, window titles or applications).
 * Events wait in the outbox until the server answers 204; failures retry with backoff.
 */
export class ActivityRecorder {
  private readonly api: ApiClient;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly outbox: ActivityOutbox;
  private sessionId: string | undefined;
  private idle = false;
  private timer: unknown;
  private failures = 0;
  private sending: Promise<void> | undefined;

  constructor(private readonly options: ActivityRecorderOptions) {
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.api = createApiClient({ baseUrl: options.baseUrl, fetch: options.fetch, token: options.clientToken });
    this.outbox = new ActivityOutbox(options.store);
    // Left over from an earlier run (an outage, then a restart): send it.
    if (this.outbox.size > 0) this.schedule(0);
  }

  /** Events not yet taken by the server. */
  get pending(): number {
    return this.outbox.size;
  }

  get activeSessionId(): string | undefined {
    return this.sessionId;
  }

  /** The desktop was unlocked: recording starts for this session. */
  begin(sessionId: string, via: SessionVia | 'offline', at = this.timers.now()): void {
    this.sessionId = sessionId;
    this.idle = false;
    this.add(unlockEventType(via), at);
  }

  /**
   * One event of the running session (nothing before an unlock). `idle` and `active` are recorded
   * only when the state changes; `ended` and `signed_out` finish the session and are sent at once.
   * Returns whether an event was recorded.
   */
  record(type: ActivityEventType, at = this.timers.now()): boolean {
    if (!this.sessionId) return false;
    if (type === 'idle' || type === 'active') {
      if ((type === 'idle') === this.idle) return false;
      this.idle = type === 'idle';
    }
    this.add(type, at);
    if (type === 'ended' || type === 'signed_out') {
      this.sessionId = undefined;
      void this.flush();
    }
    return true;
  }

  private add(type: ActivityEventType, at: number): void {
    this.outbox.add({ sessionId: this.sessionId!, type, at: Math.round(at) });
    this.schedule(this.options.batchDelayMs ?? 30_000);
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.sending) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  /** Sends everything waiting now, batch by batch; stops at the first failure and retries later. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
      if (this.outbox.size > 0) this.schedule(this.retryDelay());
    });
    return this.sending;
  }

  private retryDelay(): number {
    return this.failures === 0
      ? (this.options.batchDelayMs ?? 30_000)
      : backoffDelay(this.failures, this.options.backoff ?? { initialMs: 5_000, maxMs: 300_000 }, this.random);
  }

  private async sendAll(): Promise<void> {
    for (;;) {
      const batch = this.outbox.nextBatch(ACTIVITY_BATCH_MAX);
      if (batch.length === 0) return;
      try {
        await this.send(batch);
        this.failures = 0;
        this.outbox.remove(batch);
      } catch (err) {
        if (isTransient(err)) {
          this.failures += 1;
          return;
        }
        // Refused for good (the session is unknown, an event outside it): retrying would block the rest.
        this.outbox.remove(batch);
        this.options.onDropped?.(batch.length, err instanceof ApiError ? err.code : 'error');
      }
    }
  }

  private async send(batch: PendingActivity[]): Promise<void> {
    await this.api(routes.postSessionEvents, {
      params: { sessionId: batch[0]!.sessionId },
      body: { events: batch.map(({ type, at }) => ({ type, at })) },
    });
  }

  dispose(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

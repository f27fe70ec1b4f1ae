import type { ActivityEventType } from '@latchkey/contracts';

/** One recorded event, waiting to be taken by the server. */
export interface PendingActivity {
  sessionId: string;
  type: ActivityEventType;
  at: number;
}

/** Where the outbox is kept: a file in Electron's main, localStorage in the preview, memory in tests. */
export interface ActivityOutboxStore {
  load(): PendingActivity[];
  save(events: readonly PendingActivity[]): void;
}

/** The oldest events are dropped beyond this (weeks of activity; the Client never grows without bound). */
export const ACTIVITY_OUTBOX_MAX = 5_000;

export function memoryOutboxStore(initial: PendingActivity[] = []): ActivityOutboxStore & { events: PendingActivity[] } {
  return {
    events: initial,
    load() {
      return [...this.events];
    },
    save(events) {
      this.events = [...events];
    },
  };
}

/** Reads a stored outbox defensively: anything malformed is skipped, not fatal. */
export function parseOutbox(raw: string | null | undefined): PendingActivity[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (e): e is PendingActivity =>
        !!e && typeof e === 'object' && typeof e.sessionId === 'string' && typeof e.type === 'string' && Number.isSafeInteger(e.at),
    );
  } catch {
    return [];
  }
}

/**
 * The Client's outbox: events stay here (and in the store, written on every change) until the server
 * has answered 204 for them, so an outage, a crash or a restart loses nothing.
 */
export class ActivityOutbox {
  private events: PendingActivity[];

  constructor(private readonly store: ActivityOutboxStore) {
    this.events = store.load();
  }

  get size(): number {
    return this.events.length;
  }

  add(event: PendingActivity): void {
    this.events.push(event);
    if (this.events.length > ACTIVITY_OUTBOX_MAX) this.events.splice(0, this.events.length - ACTIVITY_OUTBOX_MAX);
    this.store.save(this.events);
  }

  /** The next batch to send: the oldest session's events, in time order, at most `max`. */
  nextBatch(max: number): PendingActivity[] {
    const first = this.events[0];
    if (!first) return [];
    return this.events
      .filter((e) => e.sessionId === first.sessionId)
      .sort((a, b) => a.at - b.at)
      .slice(0, max);
  }

  /** Removes events the server took (or refused for good). */
  remove(batch: readonly PendingActivity[]): void {
    const gone = new Set(batch);
    this.events = this.events.filter((e) => !gone.has(e));
    this.store.save(this.events);
  }
}

/**
 * Wakes held status long-polls when a request changes (approved, denied, cancelled), so the lock
 * hears a decision at once instead of on its next poll. In-process only: one Map entry per watched
 * request and one closure plus one timer per held connection, nothing else (2,000 Clients hold one
 * each). A woken or timed-out waiter simply reads the status again.
 */
export interface RequestWatch {
  /**
   * Resolves when `requestId` changes, after `ms`, when `connection` closes (the Client went away)
   * or when the server closes; whichever is first.
   */
  wait(requestId: string, ms: number, connection?: Closable): Promise<void>;
  /** Called after a change to the request was committed. */
  notify(requestId: string): void;
  /** notify() for a changed request, passing it on (one-line route handlers). */
  tell<T extends { requestId: string }>(changed: T): T;
  /** Wakes every waiter (every waiter reads its request again: a lost database connection came back). */
  wakeAll(): void;
  /** Server shutdown: wakes every waiter, and from now on `closing` is true. */
  close(): void;
  /** The server is shutting down: an answer should close its connection rather than keep it alive. */
  readonly closing: boolean;
  /** Held waits now (metrics, tests). */
  size(): number;
}

/** The part of a response stream the watch needs: its early close. */
export interface Closable {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

export function createRequestWatch(): RequestWatch {
  const waiters = new Map<string, Set<() => void>>();
  let held = 0;
  let closing = false;

  const wakeSet = (set: Set<() => void> | undefined) => {
    for (const wake of [...(set ?? [])]) wake();
  };

  return {
    wait(requestId, ms, connection) {
      return new Promise<void>((resolve) => {
        let set = waiters.get(requestId);
        if (!set) waiters.set(requestId, (set = new Set()));
        const own = set;
        held += 1;
        const wake = () => {
          clearTimeout(timer);
          connection?.off('close', wake);
          own.delete(wake);
          if (own.size === 0 && waiters.get(requestId) === own) waiters.delete(requestId);
          held -= 1;
          resolve();
        };
        const timer = setTimeout(wake, ms);
        timer.unref?.();
        own.add(wake);
        connection?.once('close', wake);
      });
    },
    notify(requestId) {
      wakeSet(waiters.get(requestId));
    },
    tell(changed) {
      wakeSet(waiters.get(changed.requestId));
      return changed;
    },
    wakeAll() {
      for (const set of [...waiters.values()]) wakeSet(set);
    },
    close() {
      closing = true;
      this.wakeAll();
    },
    get closing() {
      return closing;
    },
    size: () => held,
  };
}

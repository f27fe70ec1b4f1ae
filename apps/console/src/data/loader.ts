/**
 * The plain-TypeScript core of the console's data hooks: no DOM and no Preact, so it is tested under
 * Node with a hand-driven clock and visibility.
 *
 * - A newer load aborts the older one, and an aborted load never reports.
 * - `stop()` (the component unmounts) aborts the load in flight.
 * - With `pollMs`, it reloads on a timer, but only while the page is visible: hidden tabs do not
 *   poll, and the page refreshes at once when it is shown again.
 */

/** Whether the page is shown, and a way to hear when that changes. */
export interface Visibility {
  isVisible(): boolean;
  onChange(listener: () => void): () => void;
}

/** Calls `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

export interface LoaderOptions<T> {
  load: (signal: AbortSignal) => Promise<T>;
  onStart: () => void;
  onData: (value: T) => void;
  onError: (error: unknown) => void;
  pollMs?: number | undefined;
  visibility: Visibility;
  every: Every;
}

export class Loader<T> {
  private controller: AbortController | undefined;
  private stopPolling: (() => void) | undefined;
  private stopWatching: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: LoaderOptions<T>) {}

  /** Loads now and, with `pollMs`, keeps polling while the page is visible. */
  start(): void {
    const { pollMs, visibility } = this.options;
    if (pollMs) {
      this.stopWatching = visibility.onChange(() => this.visibilityChanged());
      if (visibility.isVisible()) this.startPolling(pollMs);
    }
    this.refresh();
  }

  /** Loads again, abandoning (aborting) the load in flight. */
  refresh(): void {
    if (this.stopped) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.options.onStart();
    this.options.load(controller.signal).then(
      (value) => {
        if (this.settle(controller)) this.options.onData(value);
      },
      (error: unknown) => {
        if (this.settle(controller)) this.options.onError(error);
      },
    );
  }

  /** Whether a load is running. */
  get busy(): boolean {
    return this.controller !== undefined;
  }

  /** Aborts the load in flight and stops polling; nothing reports afterwards. */
  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.controller = undefined;
    this.stopPolling?.();
    this.stopPolling = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** True when `controller`'s answer is still wanted; it then is no longer in flight. */
  private settle(controller: AbortController): boolean {
    if (controller.signal.aborted || controller !== this.controller) return false;
    this.controller = undefined;
    return true;
  }

  private startPolling(pollMs: number): void {
    // A tick while the previous poll still runs lets that one finish, so a slow server is not
    // starved by its own polls.
    this.stopPolling = this.options.every(pollMs, () => {
      if (!this.busy) this.refresh();
    });
  }

  private visibilityChanged(): void {
    const { pollMs, visibility } = this.options;
    if (this.stopped || !pollMs) return;
    if (!visibility.isVisible()) {
      this.stopPolling?.();
      this.stopPolling = undefined;
    } else if (!this.stopPolling) {
      this.refresh();
      this.startPolling(pollMs);
    }
  }
}

/** Time as the controller sees it; injected so tests drive polling, backoff and heartbeats by hand. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Exponential backoff with ±20 % jitter (so a building of PCs does not retry in step), capped. */
export function backoffDelay(attempt: number, options: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(options.maxMs, base * (0.8 + 0.4 * random())));
}

/**
 * What to do when the lock page dies before unlock (renderer crash or hang). Reloading is right
 * for a one-off; a page that keeps dying could be an attack on the lock, so after `maxRestarts`
 * within `windowMs` the session is signed out instead of being left uncovered. Fail closed.
 */
export interface WatchdogPolicy {
  maxRestarts: number;
  windowMs: number;
}

export const DEFAULT_WATCHDOG: WatchdogPolicy = { maxRestarts: 3, windowMs: 60_000 };

export function watchdogDecision(
  crashTimes: readonly number[],
  now: number,
  policy: WatchdogPolicy = DEFAULT_WATCHDOG,
): 'restart' | 'sign-out' {
  const recent = crashTimes.filter((t) => now - t < policy.windowMs);
  return recent.length > policy.maxRestarts ? 'sign-out' : 'restart';
}

/** Keeps the crash times of the last window and answers what to do about the newest one. */
export function createWatchdog(now: () => number, policy: WatchdogPolicy = DEFAULT_WATCHDOG) {
  let crashes: number[] = [];
  return {
    crashed(): 'restart' | 'sign-out' {
      const t = now();
      crashes = [...crashes.filter((c) => t - c < policy.windowMs), t];
      return watchdogDecision(crashes, t, policy);
    },
  };
}

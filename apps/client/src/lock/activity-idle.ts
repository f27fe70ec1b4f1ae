import { systemTimers, type Timers } from './timers.js';

/** Without keyboard or mouse input for this long, the session counts as idle. */
export const IDLE_THRESHOLD_SECONDS = 300;
/** How often the OS idle time is read. */
export const IDLE_POLL_MS = 15_000;

export interface IdleWatchOptions {
  /** Seconds since the last keyboard or mouse input (Electron: `powerMonitor.getSystemIdleTime()`). */
  idleSeconds: () => number;
  /** `at` is when the state really changed: the last input for `idle`, the new input for `active`. */
  onChange: (type: 'idle' | 'active', at: number) => void;
  thresholdSeconds?: number;
  pollMs?: number;
  timers?: Timers;
}

/**
 * Turns the OS idle time into `idle` and `active` events. It reads one number, the seconds since the
 * last input, and nothing about what the input was.
 */
export function watchIdle(options: IdleWatchOptions): { stop(): void; check(): void } {
  const timers = options.timers ?? systemTimers;
  const threshold = options.thresholdSeconds ?? IDLE_THRESHOLD_SECONDS;
  let idle = false;
  let timer: unknown;
  const check = () => {
    const seconds = options.idleSeconds();
    const lastInput = timers.now() - seconds * 1000;
    if (!idle && seconds >= threshold) {
      idle = true;
      options.onChange('idle', lastInput);
    } else if (idle && seconds < threshold) {
      idle = false;
      options.onChange('active', lastInput);
    }
  };
  const tick = () => {
    check();
    timer = timers.setTimeout(tick, options.pollMs ?? IDLE_POLL_MS);
  };
  timer = timers.setTimeout(tick, options.pollMs ?? IDLE_POLL_MS);
  return {
    check,
    stop() {
      timers.clearTimeout(timer);
    },
  };
}

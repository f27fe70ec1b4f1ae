import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads once per change of `deps` and again on `reload()`. An older answer never overwrites a newer
 * one. With `pollMs`, reloads quietly (the previous data stays on screen while it runs).
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
    // deps are the caller's; `load` is read through a ref so a new closure does not reload.
  }, [...deps, tick]);

  useEffect(() => {
    if (!pollMs) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** The current time, refreshed every `everyMs`, so ages and countdowns move on their own. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;

/**
 * Calls `onIdle` after `timeoutSeconds` without keyboard, pointer or wheel activity. Background
 * polling is not activity, so the console signs out even while it keeps the badge fresh.
 */
export function useIdleTimeout(timeoutSeconds: number, onIdle: () => void): void {
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  useEffect(() => {
    let lastActivity = Date.now();
    const mark = () => {
      lastActivity = Date.now();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, mark, { passive: true, capture: true });
    // Checked on a short interval rather than one long timer: timers are throttled in background tabs.
    const timer = setInterval(
      () => {
        if (Date.now() - lastActivity >= timeoutSeconds * 1000) onIdleRef.current();
      },
      Math.min(5000, Math.max(250, (timeoutSeconds * 1000) / 4)),
    );
    return () => {
      clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, mark, { capture: true });
    };
  }, [timeoutSeconds]);
}

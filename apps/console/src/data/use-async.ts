import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Loader, type Every, type Visibility } from './loader';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** The browser tab's visibility (`document.visibilityState`). */
const documentVisibility: Visibility = {
  isVisible: () => document.visibilityState === 'visible',
  onChange: (listener) => {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

const every: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
};

/**
 * Loads once per change of `deps` and again on `reload()`; `load` gets the signal to hand to `api()`.
 * A newer load, or unmounting, aborts the older one. With `pollMs`, reloads quietly (the previous data
 * stays on screen while it runs) while the tab is visible, and at once when it becomes visible again.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], pollMs?: number): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const loader = useRef<Loader<T> | undefined>(undefined);

  useEffect(() => {
    const mine = new Loader<T>({
      load: (signal) => loadRef.current(signal),
      onStart: () => setLoading(true),
      onData: (value) => {
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      onError: (err) => {
        setError(err);
        setLoading(false);
      },
      pollMs,
      visibility: documentVisibility,
      every,
    });
    loader.current = mine;
    mine.start();
    return () => mine.stop();
    // deps are the caller's; `load` is read through a ref so a new closure does not reload.
  }, [...deps, pollMs]);

  const reload = useCallback(() => loader.current?.refresh(), []);
  return { data, error, loading, reload };
}

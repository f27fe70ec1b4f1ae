import { useEffect, useRef, useState } from 'preact/hooks';

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

import { formatRelative, formatTime } from '../format';

/** An absolute time in the browser's locale with its relative age underneath. */
export function Time({ ms, now }: { ms: number | null | undefined; now: number }) {
  if (ms === null || ms === undefined) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatTime(ms)} class="time">
      <span>{formatTime(ms)}</span>
      <span class="time-relative">{formatRelative(ms, now)}</span>
    </time>
  );
}

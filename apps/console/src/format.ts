/** Times in the browser's locale, with relative ages ("3 minutes ago", "in 12 minutes"). */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : dateTime.format(new Date(ms));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

export function formatRelative(ms: number, now: number = Date.now()): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  // Below a minute, "now" reads better than a jittering seconds count (and hides small clock skew).
  if (abs < 45_000) return relative.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'second') return relative.format(Math.round(diff / size), unit);
  }
  return '';
}

/** "12 min", "1 h 5 min", "expired" — for a countdown column. */
export function formatRemaining(until: number, now: number = Date.now()): string {
  const left = until - now;
  if (left <= 0) return 'expired';
  if (left < 60_000) return 'under 1 min';
  const minutes = Math.floor(left / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** A datetime-local input value (local time) to epoch milliseconds, or undefined when empty. */
export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** Entries typed one a line or comma-separated: trimmed, empty ones dropped, repeats (ignoring case) once. */
export function parseList(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !seen.has(entry.toLowerCase()) && seen.add(entry.toLowerCase()));
}

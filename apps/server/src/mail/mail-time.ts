/**
 * Times in mails, for a reader who may be anywhere: the clock time in the server's zone
 * (LATCHKEY_TIME_ZONE) with its UTC offset and the date, plus how long that is from now, so
 * "valid for 30 minutes, until 09:30 UTC+01:00 on 5 January 2026" reads right in any zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building an Intl.DateTimeFormat costs more than formatting with it (every mail needs two). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function formatMailTime(at: number, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is "GMT+01:00", or plain "GMT" at offset zero.
  const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${part('hour')}:${part('minute')} UTC${offset} on ${part('day')} ${part('month')} ${part('year')}`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** "30 minutes, until 09:30 UTC+01:00 on 5 January 2026" */
export function durationUntil(now: number, at: number, timeZone: string): string {
  return `${formatDuration(at - now)}, until ${formatMailTime(at, timeZone)}`;
}

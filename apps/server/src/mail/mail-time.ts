import { translate, type Locale } from '@latchkey/i18n';

/**
 * Times in mails, for a reader who may be anywhere: the clock time in the server's zone
 * (LATCHKEY_TIME_ZONE) with its UTC offset and the date, in the reader's language, plus how long
 * that is from now, so "valid for 30 minutes, until 09:30 UTC+01:00 on 5 January 2026" reads right
 * in any zone. The words come from the mail catalogue; the date, the clock and the plurals from Intl.
 */

/** The Intl tag a catalogue language formats dates with (en-GB: "5 January 2026", day first, 24 h). */
const INTL_TAG: { readonly [l in Locale]: string } = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

const formatters = new Map<string, { date: Intl.DateTimeFormat; clock: Intl.DateTimeFormat }>();

/** One pair of formatters per zone and language: building an Intl.DateTimeFormat costs more than formatting with it. */
function formattersFor(timeZone: string, locale: Locale) {
  const key = `${locale} ${timeZone}`;
  let pair = formatters.get(key);
  if (!pair) {
    const tag = INTL_TAG[locale];
    pair = {
      date: new Intl.DateTimeFormat(tag, { timeZone, year: 'numeric', month: 'long', day: 'numeric' }),
      clock: new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' }),
    };
    formatters.set(key, pair);
  }
  return pair;
}

export function formatMailTime(at: number, timeZone: string, locale: Locale = 'en'): string {
  const { date, clock } = formattersFor(timeZone, locale);
  const parts = clock.formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is "GMT+01:00", or plain "GMT" at offset zero (localised prefixes too: "UTC+1" in fr).
  const offset = /[+-]\d{2}:\d{2}/.exec(part('timeZoneName'))?.[0] ?? '+00:00';
  const clockText = `${part('hour')}:${part('minute')}`;
  return translate(locale, 'mail.time.at', { clock: clockText, offset, date: date.format(new Date(at)) });
}

export function formatDuration(ms: number, locale: Locale = 'en'): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return translate(locale, 'mail.duration.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const hoursText = translate(locale, 'mail.duration.hours', { count: hours });
  if (rest === 0) return hoursText;
  return translate(locale, 'mail.duration.hoursAndMinutes', {
    hours: hoursText,
    minutes: translate(locale, 'mail.duration.minutes', { count: rest }),
  });
}

/** "30 minutes, until 09:30 UTC+01:00 on 5 January 2026" */
export function durationUntil(now: number, at: number, timeZone: string, locale: Locale = 'en'): string {
  return translate(locale, 'mail.time.validUntil', {
    duration: formatDuration(at - now, locale),
    time: formatMailTime(at, timeZone, locale),
  });
}

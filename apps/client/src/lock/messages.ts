import type { ClientErrorCode, Notice, OtpRequestState } from '@latchkey/contracts';
import { resolveLocale, translate, type Locale, type MessageKey, type Params } from '@latchkey/i18n';
import { lapsed } from './request-status.js';

/**
 * Every sentence the lock window says comes from the catalogue of its language
 * (packages/i18n/src/catalogues/<lang>/lock.ts); this module picks the key and its values. The
 * server's own message is never shown: it is written for operators and may change; these are
 * written for the person at the computer.
 */

/** The lock's language: its catalogue and its way of writing a time of day. */
export interface Words {
  readonly locale: Locale;
  t(key: MessageKey, params?: Params): string;
  /** A time of day in the locale's form ("09:30", "9:30 AM"). */
  time(at: number): string;
}

/** The words of `tag` (a BCP 47 tag such as Windows' display language); unknown languages get English. */
export function wordsFor(tag: string | undefined): Words {
  const locale = resolveLocale(tag);
  const format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return { locale, t: (key, params) => translate(locale, key, params), time: (at) => format.format(at) };
}

export function minutesUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 60_000));
}

const notice = (kind: Notice['kind'], code: Notice['code'], text: string): Notice => ({ kind, code, text });

/**
 * The countdown ("Trying again in 4 seconds.") is not part of this text: it changes every second,
 * so the view shows it beside the notice from `retry.at` (see retryCountdown).
 */
export function unreachable(w: Words): Notice {
  return notice('error', 'server_unreachable', w.t('notice.unreachable'));
}

/** An installer-enrolled lock that could not verify the guard: it stays locked whatever the server says. */
export function guardUnverified(w: Words): Notice {
  return notice('error', 'guard_unverified', w.t('notice.guardUnverified'));
}

/** "Trying again in 4 seconds." while an automatic attempt is ahead, "Trying again now." when it is due. */
export function retryCountdown(w: Words, at: number, now: number): string {
  const seconds = Math.ceil((at - now) / 1000);
  return seconds > 0 ? w.t('lock.retryIn', { count: seconds }) : w.t('lock.retryNow');
}

export function statusNotice(w: Words, request: OtpRequestState): Notice {
  const { email } = request;
  switch (request.status) {
    case 'pending':
      return notice('info', 'waiting_for_approval', w.t('notice.waiting', { email }));
    case 'sent':
      return notice('success', 'otp_sent', w.t('notice.sent', { email }));
    case 'denied':
      return notice(
        'error',
        'request_denied',
        request.comment ? w.t('notice.deniedComment', { comment: request.comment }) : w.t('notice.denied'),
      );
    case 'expired':
      if (lapsed(request)) return notice('error', 'request_lapsed', w.t('notice.lapsed'));
      return notice('error', 'request_expired', w.t('notice.expired', { email }));
    case 'used':
      return notice('info', 'request_used', w.t('notice.used'));
    case 'burnt':
      return notice('error', 'request_burnt', `${w.t('notice.burnt')} ${w.t('notice.afterBurnt')}`);
    case 'superseded':
      return notice('info', 'request_superseded', w.t('notice.superseded'));
    case 'cancelled':
      return notice('info', 'request_cancelled', w.t('notice.cancelled'));
  }
}

/**
 * A burnt OTP: say so, and where "Request One-Time Password" leads now. Within the interval that is
 * emergency access (never refused by it), so the next step is never a refusal.
 */
export function burntNotice(w: Words, nextRequestAt: number | undefined, denied: boolean): Notice {
  const next = nextRequestAt === undefined ? w.t('notice.afterBurnt') : w.t('notice.afterBurntWait', { time: w.time(nextRequestAt) });
  return notice('error', 'request_burnt', `${denied ? `${w.t('notice.accessDenied')} ` : ''}${w.t('notice.burnt')} ${next}`);
}

/** A refused code: why, and what to do next; while the OTP still works, how many tries are left. */
export function accessDeniedBecause(w: Words, request: OtpRequestState | undefined, nextRequestAt: number | undefined): Notice {
  if (!request) return errorNotice(w, 'access_denied');
  if (request.status === 'sent') {
    const left = request.attemptsLeft;
    if (left === undefined) return errorNotice(w, 'access_denied');
    if (left === 1) return notice('error', 'last_attempt', w.t('notice.lastAttempt'));
    return notice('error', 'wrong_code', w.t('notice.wrongCode', { count: left }));
  }
  if (request.status === 'pending') return errorNotice(w, 'access_denied');
  if (request.status === 'burnt') return burntNotice(w, nextRequestAt, true);
  if (request.status === 'expired' && !lapsed(request)) return notice('error', 'access_denied', w.t('notice.deniedExpired'));
  if (request.status === 'used') return notice('error', 'access_denied', w.t('notice.deniedUsed'));
  return { ...statusNotice(w, request), kind: 'error' };
}

export function resentNotice(w: Words, email: string): Notice {
  return notice('success', 'otp_resent', w.t('notice.resent', { email }));
}

export function cancelledNotice(w: Words, email: string): Notice {
  return notice('info', 'request_cancelled', w.t('notice.cancelledCorrect', { email }));
}

/**
 * An interval refusal says how long (counting down: the controller renews it each minute), and the
 * way that is never refused by it: emergency access, approved by a person.
 */
export function intervalNotice(w: Words, nextAt: number, now: number, canResend: boolean): Notice {
  if (nextAt <= now) return notice('info', 'interval_over', w.t('notice.intervalOver'));
  const parts = [w.t('notice.interval', { count: minutesUntil(nextAt, now) })];
  if (canResend) parts.push(w.t('notice.intervalResend'));
  parts.push(w.t('notice.intervalEmergency'));
  return notice('error', 'otp_interval', parts.join(' '));
}

type InputCode = 'email_missing' | 'email_invalid' | 'reason_invalid' | 'login_missing' | 'password_missing' | 'otp_format';
const INPUT_KEYS: Record<InputCode, MessageKey> = {
  email_missing: 'notice.emailMissing',
  email_invalid: 'notice.emailInvalid',
  reason_invalid: 'notice.reasonInvalid',
  login_missing: 'notice.loginMissing',
  password_missing: 'notice.passwordMissing',
  otp_format: 'notice.otpFormat',
};

export function inputNotice(w: Words, code: InputCode, params: Params = {}): Notice {
  return notice('error', code, w.t(INPUT_KEYS[code], params));
}

/** The API errors with words of their own (`error.<code>` in the catalogue); any other code gets the general sentence. */
const ERROR_KEYS = new Set<string>([
  'access_denied',
  'invalid_credentials',
  'login_locked',
  'method_not_allowed',
  'otp_not_allowed',
  'directory_unavailable',
  'directory_user_not_found',
  'directory_user_disabled',
  'directory_user_no_mail',
  'directory_user_ambiguous',
  'directory_not_configured',
  'not_resendable',
  'rate_limited',
  'invalid_request',
  'unauthorized',
  'forbidden',
  'os_user_mismatch',
  'not_found',
  'not_pending',
  'bad_response',
  'service_unavailable',
  'internal_error',
  'account_not_linked',
  'email_domain_not_allowed',
  'too_many_open_requests',
  'resend_limit',
] satisfies ClientErrorCode[]);

export function errorNotice(w: Words, code: ClientErrorCode, retryAfterSeconds?: number): Notice {
  if (code === 'rate_limited' && retryAfterSeconds) return notice('error', code, w.t('error.rateLimitedFor', { count: retryAfterSeconds }));
  const text = ERROR_KEYS.has(code) ? w.t(`error.${code}` as MessageKey) : w.t('error.unknown', { code });
  return notice('error', code, text);
}

// ---- offline unlock (challenge and response with the helpdesk) ----

export function offlineNotice(
  w: Words,
  code: 'offline_format' | 'offline_wrong' | 'offline_burnt' | 'offline_expired' | 'offline_waiting' | 'offline_unavailable',
  detail: { attemptsLeft?: number; waitUntil?: number; now?: number } = {},
): Notice {
  switch (code) {
    case 'offline_format':
      return notice('error', code, w.t('notice.offlineFormat'));
    case 'offline_wrong':
      return notice('error', code, w.t('notice.offlineWrong', { count: detail.attemptsLeft ?? 0 }));
    case 'offline_burnt':
    case 'offline_waiting': {
      const wait = w.t('notice.offlineWait', { count: minutesUntil(detail.waitUntil ?? 0, detail.now ?? 0) });
      return notice('error', code, code === 'offline_burnt' ? `${w.t('notice.offlineBurnt')} ${wait}` : wait);
    }
    case 'offline_expired':
      return notice('error', code, w.t('notice.offlineExpired'));
    case 'offline_unavailable':
      return notice('error', code, w.t('notice.offlineUnavailable'));
  }
}

import type { ClientErrorCode, Notice, OtpRequestState } from '@latchkey/contracts';
import { lapsed } from './request-flow.js';

/**
 * Every sentence the lock window says, in one place. The server's own message is never shown: it
 * is written for operators and may change; these are written for the person at the computer.
 */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function minutesUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 60_000));
}

/**
 * The countdown ("Trying again in 4 seconds.") is not part of this text: it changes every second,
 * so the view shows it beside the notice from `retry.at` (see retryCountdown).
 */
export function unreachable(): Notice {
  return {
    kind: 'error',
    code: 'server_unreachable',
    text: 'The Latchkey server cannot be reached, so this computer stays locked. Check the network cable or Wi-Fi, or ask your helpdesk.',
  };
}

/** "Trying again in 4 seconds." while an automatic attempt is ahead, "Trying again now." when it is due. */
export function retryCountdown(at: number, now: number): string {
  const seconds = Math.ceil((at - now) / 1000);
  return seconds > 0 ? `Trying again in ${plural(seconds, 'second')}.` : 'Trying again now.';
}

export function statusNotice(request: OtpRequestState): Notice {
  switch (request.status) {
    case 'pending':
      return {
        kind: 'info',
        code: 'waiting_for_approval',
        text: `Your request is waiting for approval by the helpdesk. Once it is approved, the one-time password is emailed to ${request.email}.`,
      };
    case 'sent':
      return {
        kind: 'success',
        code: 'otp_sent',
        text: `A one-time password has been sent to ${request.email}. Enter it below to log in.`,
      };
    case 'denied': {
      const said = request.comment ? ` The helpdesk wrote: “${request.comment}”.` : '';
      return {
        kind: 'error',
        code: 'request_denied',
        text: `Your request for a one-time password was denied.${said} Contact your helpdesk if you still need access.`,
      };
    }
    case 'expired':
      if (lapsed(request)) {
        return {
          kind: 'error',
          code: 'request_lapsed',
          text: 'Your request was not approved in time, so it lapsed and no one-time password was sent. Request a new one, or call your helpdesk.',
        };
      }
      return {
        kind: 'error',
        code: 'request_expired',
        text: `The one-time password sent to ${request.email} has expired. Request a new one.`,
      };
    case 'used':
      return { kind: 'info', code: 'request_used', text: 'That one-time password has already been used. Request a new one.' };
    case 'burnt':
      return { kind: 'error', code: 'request_burnt', text: `${BURNT} ${AFTER_BURNT}` };
    case 'superseded':
      return { kind: 'info', code: 'request_superseded', text: 'A newer request from this computer replaced this one.' };
    case 'cancelled':
      return { kind: 'info', code: 'request_cancelled', text: 'This request was cancelled. You can request a new one-time password.' };
  }
}

const BURNT = 'Too many wrong codes were entered, so this one-time password no longer works, not even the right one.';
const AFTER_BURNT =
  'Request a new one; if a new one cannot be requested yet, choose “I need emergency access to computer” there, or call your helpdesk.';

/** A refused code of a request that is settled: say why, and what to do next. */
export function accessDeniedBecause(request: OtpRequestState): Notice {
  if (request.status === 'burnt') return { kind: 'error', code: 'request_burnt', text: `Access denied. ${BURNT} ${AFTER_BURNT}` };
  if (request.status === 'expired' && !lapsed(request)) {
    return { kind: 'error', code: 'access_denied', text: 'Access denied. The one-time password has expired. Request a new one.' };
  }
  if (request.status === 'used') {
    return {
      kind: 'error',
      code: 'access_denied',
      text: 'Access denied. That one-time password has already been used. Request a new one.',
    };
  }
  const status = statusNotice(request);
  return { ...status, kind: 'error' };
}

export function resentNotice(email: string): Notice {
  return { kind: 'success', code: 'otp_resent', text: `The one-time password has been sent to ${email} again.` };
}

/** An interval refusal says how long, and the way that is never refused by it: emergency access, approved by a person. */
export function intervalNotice(nextAt: number, now: number, canResend: boolean): Notice {
  const resend = canResend ? ' You can resend the one already sent.' : '';
  return {
    kind: 'error',
    code: 'otp_interval',
    text:
      `A new one-time password for this computer can be requested in ${plural(minutesUntil(nextAt, now), 'minute')}.${resend}` +
      ' If you cannot wait, choose “I need emergency access to computer”: that request goes to the helpdesk, whatever the interval.',
  };
}

export function inputNotice(code: string, text: string): Notice {
  return { kind: 'error', code, text };
}

export function errorNotice(code: ClientErrorCode, retryAfterSeconds?: number): Notice {
  const text = ERROR_TEXT[code] ?? `Something went wrong (${code}). Try again, or contact your helpdesk.`;
  if (code === 'rate_limited' && retryAfterSeconds) {
    return { kind: 'error', code, text: `Too many attempts. Wait ${plural(retryAfterSeconds, 'second')} and try again.` };
  }
  return { kind: 'error', code, text };
}

const ERROR_TEXT: Partial<Record<ClientErrorCode, string>> = {
  access_denied: 'Access denied. The one-time password is wrong, has expired or was already used.',
  invalid_credentials: 'The login name or password is wrong.',
  login_locked: 'Too many failed sign-in attempts for this login. Try again later or use emergency access.',
  method_not_allowed: 'That way of requesting a one-time password is not enabled any more. The form has been updated; try again.',
  otp_not_allowed: 'One-time passwords are not allowed on this computer. Contact your administrator.',
  directory_unavailable: 'The company directory cannot be reached right now. Try again in a moment, or use emergency access.',
  directory_user_not_found: 'Your account was not found in the company directory. Use emergency access instead.',
  directory_user_disabled: 'Your account is disabled in the company directory. Contact your helpdesk.',
  directory_user_no_mail: 'Your directory account has no email address. Use emergency access instead.',
  directory_user_ambiguous: 'More than one directory account matches yours. Use emergency access instead.',
  not_resendable: 'This one-time password can no longer be resent. Request a new one.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  invalid_request: 'The server did not accept the request. Check the fields and try again.',
  unauthorized: 'The server does not recognise this computer (its enrollment was refused). Contact your administrator.',
  forbidden: 'The server refused this computer. Contact your administrator.',
  not_found: 'The server no longer knows that request. Request a new one-time password.',
  bad_response: 'The server sent an answer this program does not understand. Contact your administrator.',
  service_unavailable: 'The Latchkey server is busy. Try again in a moment.',
  internal_error: 'The Latchkey server had a problem. Try again in a moment.',
  // v1.1 abuse and authorization (OTP rules)
  account_not_linked:
    'This Windows account is not linked to your Management Tool login. Ask your administrator to link it, or use emergency access.',
  email_domain_not_allowed: 'One-time passwords can only be sent to your work email address. Enter that address.',
  too_many_open_requests: 'This computer already has as many requests waiting as allowed. Wait for the helpdesk, or call them.',
  resend_limit: 'The one-time password was resent as often as allowed. Check your mailbox, including spam, or request a new one.',
};

// ---- offline unlock (challenge and response with the helpdesk) ----

export function offlineNotice(
  code: 'offline_format' | 'offline_wrong' | 'offline_burnt' | 'offline_expired' | 'offline_waiting' | 'offline_unavailable',
  detail: { attemptsLeft?: number; waitUntil?: number; now?: number } = {},
): Notice {
  switch (code) {
    case 'offline_format':
      return inputNotice(code, 'Enter the 10-character response code the helpdesk read to you, like ABCDE-FGHJK.');
    case 'offline_wrong':
      return {
        kind: 'error',
        code,
        text: `That response code is not right. ${plural(detail.attemptsLeft ?? 0, 'attempt')} left for this challenge.`,
      };
    case 'offline_burnt':
    case 'offline_waiting':
      return {
        kind: 'error',
        code,
        text: `${code === 'offline_burnt' ? 'Too many wrong response codes: this challenge no longer works. ' : ''}A new challenge can be shown in ${plural(minutesUntil(detail.waitUntil ?? 0, detail.now ?? 0), 'minute')}.`,
      };
    case 'offline_expired':
      return {
        kind: 'error',
        code,
        text: 'The challenge expired. A new challenge is shown: read it to the helpdesk again for a new response code.',
      };
    case 'offline_unavailable':
      return { kind: 'error', code, text: 'Offline unlock is not available on this computer. Contact your helpdesk.' };
  }
}

export function offlineUnlockedNotice(): Notice {
  return {
    kind: 'success',
    code: 'offline_unlocked',
    text: 'Unlocked with the helpdesk. The unlock is reported when the server can be reached.',
  };
}

import type { ClientErrorCode, Notice, OtpRequestState } from '@latchkey/contracts';

/**
 * Every sentence the lock window says, in one place. The server's own message is never shown: it
 * is written for operators and may change; these are written for the person at the computer.
 */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function minutesUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 60_000));
}

export function unreachable(retryInMs: number | undefined): Notice {
  const when = retryInMs === undefined ? '' : ` Trying again in ${plural(Math.max(1, Math.round(retryInMs / 1000)), 'second')}.`;
  return {
    kind: 'error',
    code: 'server_unreachable',
    text: `The Latchkey server cannot be reached, so this computer stays locked.${when} Check the network cable or Wi-Fi, or ask your helpdesk.`,
  };
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
    case 'denied':
      return { kind: 'error', code: 'request_denied', text: 'Your request for a one-time password was denied. Contact your helpdesk.' };
    case 'expired':
      return { kind: 'error', code: 'request_expired', text: 'The one-time password has expired. Request a new one.' };
    case 'used':
      return { kind: 'info', code: 'request_used', text: 'That one-time password has already been used. Request a new one.' };
    case 'burnt':
      return {
        kind: 'error',
        code: 'request_burnt',
        text: 'Too many wrong codes were entered, so this one-time password no longer works. Request a new one.',
      };
    case 'superseded':
      return { kind: 'info', code: 'request_superseded', text: 'A newer request from this computer replaced this one.' };
    case 'cancelled':
      return { kind: 'info', code: 'request_cancelled', text: 'This request was cancelled. You can request a new one-time password.' };
  }
}

export function accessDeniedBecause(status: 'expired' | 'used'): Notice {
  const why = status === 'expired' ? 'The one-time password has expired.' : 'That one-time password has already been used.';
  return { kind: 'error', code: 'access_denied', text: `Access denied. ${why} Request a new one.` };
}

export function resentNotice(email: string): Notice {
  return { kind: 'success', code: 'otp_resent', text: `The one-time password has been sent to ${email} again.` };
}

export function intervalNotice(nextAt: number, now: number, canResend: boolean): Notice {
  const resend = canResend ? ' You can resend the one already sent.' : '';
  return {
    kind: 'error',
    code: 'otp_interval',
    text: `A new one-time password for this computer can be requested in ${plural(minutesUntil(nextAt, now), 'minute')}.${resend}`,
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
    'This Windows account is not linked to your Latchkey login. Ask your administrator to link it, or use emergency access.',
  email_domain_not_allowed: 'One-time passwords can only be sent to your work email address. Enter that address.',
  too_many_open_requests: 'This computer already has as many requests waiting as allowed. Wait for the helpdesk, or call them.',
  resend_limit: 'The one-time password was resent as often as allowed. Check your mailbox, including spam, or request a new one.',
};

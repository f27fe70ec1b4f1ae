import { AppError } from '../app-error.js';
import { isRefusal, type Refusal } from '../refusal.js';

const EMERGENCY_HINT = 'Tick "I need emergency access to computer" to ask the helpdesk instead.';

const METHOD_WORDS = {
  email: 'Requesting by email address',
  directory: 'Automatic sending to Active Directory users',
  internal: 'Automatic sending to internal users',
};

// Built per answer: an error object is thrown once, with its own stack.
const DIRECTORY_USER = {
  not_found: () => new AppError(404, 'directory_user_not_found', `Your account was not found in the directory. ${EMERGENCY_HINT}`),
  disabled: () => new AppError(403, 'directory_user_disabled', `Your directory account is disabled. ${EMERGENCY_HINT}`),
  no_mail: () => new AppError(422, 'directory_user_no_mail', `Your directory account has no email address. ${EMERGENCY_HINT}`),
  ambiguous: () =>
    new AppError(409, 'directory_user_ambiguous', `More than one directory account matches your user name. ${EMERGENCY_HINT}`),
};

/** The HTTP answer to each refusal. */
export function refusalError(refusal: Refusal): AppError {
  switch (refusal.refused) {
    case 'not_found':
      return new AppError(404, 'not_found', `No such ${refusal.what}.`);
    case 'user_exists':
      return new AppError(409, 'user_exists', 'A user with this login name already exists.');
    case 'last_admin':
      return new AppError(
        409,
        'last_admin',
        refusal.change === 'role' ? 'The last admin cannot lose the admin role.' : 'The last admin cannot be deleted.',
      );
    case 'session_ended':
      return new AppError(
        409,
        'session_ended',
        refusal.relocked ? 'This session was locked again: unlock it with a new one-time password.' : 'This session has ended.',
      );
    case 'events_outside_session':
      return new AppError(400, 'invalid_request', 'An event is dated outside its session.');
    case 'too_many_events':
      return new AppError(400, 'invalid_request', 'This session has recorded too many events.');
    case 'not_pending':
      return new AppError(409, 'not_pending', 'This request is no longer waiting for a decision.');
    case 'not_resendable':
      return new AppError(409, 'not_resendable', 'This one-time password can no longer be resent. Request a new one.');
    case 'otp_interval': {
      const minutes = Math.ceil(refusal.retryAfterSeconds / 60);
      return new AppError(
        429,
        'otp_interval',
        `A new one-time password for this computer can be requested in ${minutes} minute${minutes === 1 ? '' : 's'}. You can resend the one already sent.`,
        refusal.retryAfterSeconds,
      );
    }
    case 'account_not_linked':
      return new AppError(
        403,
        'account_not_linked',
        'This Windows account is not linked to your Management Tool login. Ask an administrator to add it to your Windows accounts, or ask the helpdesk for emergency access.',
      );
    case 'self_approval':
      return new AppError(
        403,
        'self_approval',
        'You cannot approve a request for your own email address. Ask another member of the helpdesk.',
      );
    case 'resend_limit':
      return new AppError(
        429,
        'resend_limit',
        'This one-time password was resent as often as allowed. Check your mailbox, or request a new one.',
      );
    case 'too_many_open_requests':
      return new AppError(
        429,
        'too_many_open_requests',
        'This computer already has as many access requests waiting as allowed. Wait for the helpdesk to decide, or call them.',
      );
    case 'email_domain_not_allowed':
      return new AppError(
        400,
        'email_domain_not_allowed',
        'Use your work email address: this address is not in a domain the server sends to.',
      );
    case 'invalid_credentials':
      return new AppError(401, 'invalid_credentials', 'The login name or password is not correct.');
    case 'login_locked':
      return new AppError(429, 'login_locked', 'Too many failed sign-ins. Try again later.', refusal.retryAfterSeconds);
    case 'settings_lock_nothing':
      return new AppError(
        400,
        'invalid_request',
        'Lock local logons and Lock remote logons cannot both be off: Latchkey would protect nothing. To leave computers unlocked, turn off "Allow the use of one-time passwords" for them instead.',
      );
    case 'invalid_challenge':
      return new AppError(
        400,
        'invalid_request',
        `The challenge is ${refusal.length} letters and digits, as the locked computer shows it.`,
      );
    case 'offline_unlock_disabled':
      return new AppError(409, 'offline_unlock_disabled', 'Offline unlock is turned off in System Settings.');
    case 'offline_key_missing':
      return new AppError(
        409,
        'offline_key_missing',
        refusal.why === 'profile_lock'
          ? 'This computer’s lock was enrolled from a user profile, without the guard: offline unlock needs the guard (install Latchkey for the computer). Use a one-time password instead.'
          : 'This computer has no offline key yet: it gets one the next time it reaches the server. Use a one-time password instead.',
      );
    case 'otp_not_allowed':
      return new AppError(403, 'otp_not_allowed', 'One-time passwords are not allowed on this computer.');
    case 'method_not_allowed':
      return new AppError(
        403,
        'method_not_allowed',
        `${METHOD_WORDS[refusal.method]} is not enabled on this server. Use the options the lock window shows.`,
      );
    case 'missing_field':
      return new AppError(
        400,
        'invalid_request',
        refusal.field === 'email' ? 'Enter your email address.' : 'Enter your login name and password.',
      );
    case 'directory_unavailable':
      return new AppError(503, 'directory_unavailable', `The directory cannot be reached right now. ${EMERGENCY_HINT}`);
    case 'directory_user':
      return DIRECTORY_USER[refusal.kind]();
    case 'offline_key_held_by_computer':
      return new AppError(
        409,
        'offline_key_held_by_computer',
        refusal.role === 'guard'
          ? 'A guard has no offline key.'
          : 'This computer was enrolled by the installer and holds its offline key itself: for a new key, run Latchkey.exe --enroll-machine on it as an administrator, then remove this Client.',
      );
  }
}

/** The value, or the refusal thrown as its HTTP error. */
export function unlessRefused<T>(result: T | Refusal): T {
  if (isRefusal(result)) throw refusalError(result);
  return result;
}

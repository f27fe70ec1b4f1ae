/**
 * Why a service or store declined to act. They return one instead of throwing, so that what they
 * recorded (an audit event, a counter) commits with the refusal and every caller sees it in the type;
 * routes map it to an HTTP error (routes/refusals.ts).
 */
export type Refusal =
  | { refused: 'not_found'; what: 'request' | 'access request' | 'session' | 'user' | 'Client' }
  | { refused: 'user_exists' }
  | { refused: 'last_admin'; change: 'role' | 'delete' }
  | { refused: 'session_ended'; relocked: boolean }
  | { refused: 'events_outside_session' }
  | { refused: 'too_many_events' }
  | { refused: 'not_pending' }
  | { refused: 'not_resendable' }
  | { refused: 'otp_interval'; retryAfterSeconds: number }
  | { refused: 'account_not_linked' }
  | { refused: 'self_approval' }
  | { refused: 'resend_limit' }
  | { refused: 'too_many_open_requests' }
  | { refused: 'email_domain_not_allowed' }
  | { refused: 'invalid_credentials' }
  | { refused: 'login_locked'; retryAfterSeconds: number }
  /** Lock local logons and Lock remote logons both off. */
  | { refused: 'settings_lock_nothing' }
  | { refused: 'invalid_challenge'; length: number }
  | { refused: 'offline_unlock_disabled' }
  /** `profile_lock`: a lock enrolled from a user profile has none (v1.2: offline unlock needs the guard); `not_yet`: not made yet. */
  | { refused: 'offline_key_missing'; why: 'profile_lock' | 'not_yet' }
  | { refused: 'offline_key_held_by_computer'; role: 'guard' | 'machine' }
  | { refused: 'otp_not_allowed' }
  /** The settings do not offer this request method (`allowedRequestMethods`); email stands for email and emergency. */
  | { refused: 'method_not_allowed'; method: 'email' | 'directory' | 'internal' }
  | { refused: 'missing_field'; field: 'email' | 'credentials' }
  | { refused: 'directory_unavailable' }
  /** The `directory` method found no one account with an email for the osUser. */
  | { refused: 'directory_user'; kind: 'not_found' | 'disabled' | 'no_mail' | 'ambiguous' };

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

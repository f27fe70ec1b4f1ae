/**
 * Why the OTP domain (and the session stores beside it) declined to act. Domain functions return one instead of throwing, so that what
 * they recorded (an audit event, a counter) commits with the refusal; routes map it to an HTTP error.
 */
export type OtpRefusal =
  | { refused: 'not_found'; what: 'request' | 'access request' | 'session' }
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
  | { refused: 'email_domain_not_allowed' };

export function isRefusal(value: unknown): value is OtpRefusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

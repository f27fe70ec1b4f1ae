/**
 * Every audit event type the server writes. The server's audit log takes only these, and the console
 * has words for each (a type added here without words fails the console's typecheck).
 */
export const AUDIT_EVENT_TYPES = [
  'access_request.approved',
  'access_request.created',
  'access_request.emergency_created',
  'access_request.denied',
  'admin.login',
  'admin.login_failed',
  'admin.logout',
  'client.changed',
  'client.enroll_failed',
  'client.enrolled',
  'directory.lookup',
  'internal_user.lookup',
  'otp.generated',
  'otp.issued',
  'otp.lock_cleared',
  'otp.relock_allowance',
  'otp.resent',
  'otp.verified',
  'otp.verify_failed',
  'otp.verify_locked',
  'session.ended',
  'settings.changed',
  'user.changed',
  'user.created',
  'user.deleted',
  'access_request.cancelled',
  'client.removed',
  'client.verdict_failed',
  'client.offline_key_created',
  'client.offline_key_rotated',
  'offline_unlock.response_issued',
  'offline_unlock.used',
  'offline_unlock.unmatched',
  'otp.refused',
  'access_request.refused',
  'access_request.superseded',
  'access_request.self_approval_refused',
  'otp.burnt',
  // v1.2: the lock-decision left a session open without an OTP
  'session.exempt',
  // v1.2, the guard is the authority
  'client.user_token_created',
  'session.relocked',
  'offline_unlock.reported',
  // v1.2 the helpdesk's day: a sent OTP cancelled by its Client ("Wrong address?") and the interval it waived
  'otp.cancelled',
  'otp.interval_waived',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

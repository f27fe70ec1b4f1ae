import { Type, type Static } from '@sinclair/typebox';

/** Every error code the API can answer with. Stable: clients switch on these. */
export const ERROR_CODES = [
  'invalid_request',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'csrf_failed',
  'not_found',
  'invalid_enrollment_key',
  'method_not_allowed',
  'otp_not_allowed',
  'otp_interval',
  'rate_limited',
  'not_resendable',
  'not_pending',
  'access_denied',
  'invalid_credentials',
  'login_locked',
  'directory_unavailable',
  'directory_user_not_found',
  'directory_user_disabled',
  'directory_user_no_mail',
  'directory_user_ambiguous',
  'user_exists',
  'last_admin',
  'session_ended',
  'offline_key_missing',
  'offline_unlock_disabled',
  'offline_key_held_by_computer',
  'service_unavailable',
  'internal_error',
  // v1.1 abuse and authorization (OTP rules)
  'account_not_linked',
  'self_approval',
  'resend_limit',
  'too_many_open_requests',
  'email_domain_not_allowed',
  // v1.2: the guard is the authority (a per-user token names another osUser)
  'os_user_mismatch',
  // v1.2: the helpdesk's day (auto-send to directory users while no directory is configured)
  'directory_not_configured',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorCodeSchema = Type.Union(ERROR_CODES.map((code) => Type.Literal(code)));

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: ErrorCodeSchema,
      message: Type.String(),
    }),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;

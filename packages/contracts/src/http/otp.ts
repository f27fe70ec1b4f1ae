import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import {
  CommentSchema,
  EmailSchema,
  IdSchema,
  LoginNameSchema,
  OsUserSchema,
  OtpCodeSchema,
  PasswordSchema,
  QueryIntegerSchema,
  TimestampSchema,
} from './common.js';
import { NonceSchema, VerdictSchema } from './verdict.js';
import { SessionViaSchema } from './admin/sessions.js';

/** A BCP 47 language tag as a Client sends it (`de`, `de-AT`, `es-419`). */
export const LocaleTagSchema = Type.String({ minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$' });

export const OTP_REQUEST_METHODS = ['directory', 'internal', 'email', 'emergency'] as const;
export const OtpRequestMethodSchema = Type.Union(OTP_REQUEST_METHODS.map((m) => Type.Literal(m)));
export type OtpRequestMethod = Static<typeof OtpRequestMethodSchema>;

/**
 * Which request methods the settings allow, the one rule for both sides: the server refuses the
 * others (403 `method_not_allowed`), the lock offers only these. `email` only while neither
 * automatic option is on; `emergency` always (a person decides).
 */
export function allowedRequestMethods(settings: {
  autoSendToDirectoryUsers: boolean;
  autoSendToInternalUsers: boolean;
}): ReadonlySet<OtpRequestMethod> {
  const { autoSendToDirectoryUsers: directory, autoSendToInternalUsers: internal } = settings;
  return new Set<OtpRequestMethod>(
    OTP_REQUEST_METHODS.filter((m) => ({ email: !directory && !internal, directory, internal, emergency: true })[m]),
  );
}

export const OtpRequestBodySchema = Type.Object(
  {
    osUser: OsUserSchema,
    method: OtpRequestMethodSchema,
    email: Type.Optional(EmailSchema),
    login: Type.Optional(LoginNameSchema),
    password: Type.Optional(PasswordSchema),
    reason: Type.Optional(CommentSchema),
    /** The session this Client re-locked (unlock, reconnect, resume): once per session, not refused by the interval. */
    relockOf: Type.Optional(IdSchema),
    /** v1.2: the language of the lock (BCP 47); the mails about this request speak it (en, de, fr, es; else English). */
    locale: Type.Optional(LocaleTagSchema),
  },
  { additionalProperties: false },
);
export type OtpRequestBody = Static<typeof OtpRequestBodySchema>;

/**
 * `superseded`: a newer request of the same Client and osUser replaced it; `burnt`: too many wrong
 * codes; `cancelled`: the Client withdrew it. `expired` is read, never stored.
 */
export const REQUEST_STATUSES = ['pending', 'sent', 'denied', 'expired', 'used', 'superseded', 'burnt', 'cancelled'] as const;
export const RequestStatusSchema = Type.Union(REQUEST_STATUSES.map((s) => Type.Literal(s)));
export type RequestStatus = Static<typeof RequestStatusSchema>;

/**
 * What the Client learns of its request. `expiresAt` is set once an OTP was issued; `comment` is the
 * approver's comment on a denial (shown on the lock: the denial mail may be unreadable from there).
 */
export const OtpRequestStateSchema = Type.Object(
  {
    requestId: IdSchema,
    status: RequestStatusSchema,
    email: EmailSchema,
    expiresAt: Type.Optional(TimestampSchema),
    comment: Type.Optional(CommentSchema),
    /** v1.2: while `sent`, how many wrong codes are left before the OTP is burnt. */
    attemptsLeft: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type OtpRequestState = Static<typeof OtpRequestStateSchema>;
/** The state as a lock of v1.1 reads it (API_LEVEL): without `attemptsLeft`. */
const OtpRequestStateBefore12Schema = Type.Omit(OtpRequestStateSchema, ['attemptsLeft']);

export const createOtpRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/otp/requests',
  auth: { kind: 'client' },
  successStatus: 201,
  schema: {
    body: OtpRequestBodySchema,
    response: { 201: OtpRequestStateSchema, ...errorResponses(401, 403, 404, 409, 422) },
  },
  olderLocks: OtpRequestStateBefore12Schema,
});

export const RequestIdParamsSchema = Type.Object({ requestId: IdSchema }, { additionalProperties: false });

/** Long-poll: while the request is `pending`, the server holds the answer up to `waitSeconds` (at most 25) or until it is decided. */
export const MAX_STATUS_WAIT_SECONDS = 25;
export const OtpRequestStatusQuerySchema = Type.Object({ waitSeconds: Type.Optional(QueryIntegerSchema) }, { additionalProperties: false });

export const getOtpRequest = defineRoute({
  method: 'GET',
  url: '/api/v1/otp/requests/:requestId',
  auth: { kind: 'client' },
  successStatus: 200,
  schema: {
    params: RequestIdParamsSchema,
    querystring: OtpRequestStatusQuerySchema,
    response: { 200: OtpRequestStateSchema, ...errorResponses(401, 404) },
  },
  olderLocks: OtpRequestStateBefore12Schema,
});

/**
 * "Use a different email": the Client withdraws its own pending request. v1.2 "Wrong address?": a
 * `sent` request too; its OTP stops verifying and the next request of that Client and osUser is not
 * refused by the interval (once per cancelled OTP). 409 `not_pending` once neither (denied, used, expired…).
 */
export const cancelOtpRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/otp/requests/:requestId/cancel',
  auth: { kind: 'client' },
  successStatus: 200,
  schema: { params: RequestIdParamsSchema, response: { 200: OtpRequestStateSchema, ...errorResponses(401, 404, 409) } },
  olderLocks: OtpRequestStateBefore12Schema,
});

export const resendOtp = defineRoute({
  method: 'POST',
  url: '/api/v1/otp/requests/:requestId/resend',
  auth: { kind: 'client' },
  successStatus: 202,
  schema: { params: RequestIdParamsSchema, response: { 202: OtpRequestStateSchema, ...errorResponses(401, 404, 409) } },
  olderLocks: OtpRequestStateBefore12Schema,
});

export const VerifyBodySchema = Type.Object(
  {
    osUser: OsUserSchema,
    email: EmailSchema,
    otp: OtpCodeSchema,
    /** Fresh per call; the verdict is signed over it. v1.2: required (without it, 400 and the OTP is not used up). */
    nonce: NonceSchema,
    /**
     * Extension: asks for `via` in the answer. Only on request, because a lock of v1.1 or v1.2 checks
     * the answer against a schema without it and would refuse (as a forgery) an answer that had it.
     */
    includeVia: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);
export type VerifyBody = Static<typeof VerifyBodySchema>;

/**
 * `verdict` is signed over the call's `nonce`. Extension: `via`, how the verified OTP was issued
 * (`otp` on a request, `emergency`, `generated` by Generate Password), present when the call had
 * `includeVia`; it is the session's `via` in the sessions list.
 */
export const VerifyResultSchema = Type.Object(
  { allowed: Type.Literal(true), sessionId: IdSchema, verdict: VerdictSchema, via: Type.Optional(SessionViaSchema) },
  { additionalProperties: false },
);
export type VerifyResult = Static<typeof VerifyResultSchema>;

export const verifyOtp = defineRoute({
  method: 'POST',
  url: '/api/v1/otp/verify',
  auth: { kind: 'client' },
  successStatus: 200,
  schema: { body: VerifyBodySchema, response: { 200: VerifyResultSchema, ...errorResponses(401) } },
});

import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { CommentSchema, EmailSchema, IdSchema, OsUserSchema, QueryIntegerSchema, TimestampSchema } from '../common.js';
import { OtpRequestMethodSchema, RequestIdParamsSchema, RequestStatusSchema } from '../otp.js';
import { STAFF, adminErrors } from './shared.js';

/**
 * What an approver should know about a request: `new_email`, the osUser has known emails and this is
 * none of them (check it with them before approving); `first_request`, the osUser has no known email
 * at all, so there is nothing to compare with.
 */
export const ACCESS_REQUEST_FLAGS = ['new_email', 'first_request'] as const;
export type AccessRequestFlag = (typeof ACCESS_REQUEST_FLAGS)[number];

// ---- access requests -----------------------------------------------------------------------

export const AccessRequestSchema = Type.Object(
  {
    requestId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    email: Type.String(),
    method: OtpRequestMethodSchema,
    reason: Type.Union([Type.String(), Type.Null()]),
    status: RequestStatusSchema,
    createdAt: TimestampSchema,
    /** When a pending request lapses, or when its issued OTP expires. */
    expiresAt: TimestampSchema,
    decidedBy: Type.Union([Type.String(), Type.Null()]),
    decidedAt: Type.Union([TimestampSchema, Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    /** Emails this osUser verified with before, the directory's mail, the email of a linked internal user. */
    knownEmails: Type.Array(Type.String()),
    flags: Type.Array(Type.Union(ACCESS_REQUEST_FLAGS.map((f) => Type.Literal(f)))),
  },
  { additionalProperties: false },
);
export type AccessRequest = Static<typeof AccessRequestSchema>;

export const ListAccessRequestsQuerySchema = Type.Object(
  {
    status: Type.Optional(RequestStatusSchema),
    /** A request reference as the user read it out (normaliseRequestReference); only that request, if any. */
    reference: Type.Optional(Type.String({ maxLength: 20 })),
    limit: Type.Optional(QueryIntegerSchema),
  },
  { additionalProperties: false },
);

/**
 * The answer of `listAccessRequests` carries this header: how many requests match the query in all,
 * however many the `limit` (200 unless given) let into the body. The console shows it as the total.
 */
export const ACCESS_REQUESTS_TOTAL_HEADER = 'x-total-count';

/** Newest first, at most `limit` (default 200, at most 1000); the total is in ACCESS_REQUESTS_TOTAL_HEADER. */
export const listAccessRequests = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/access-requests',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListAccessRequestsQuerySchema, response: { 200: Type.Array(AccessRequestSchema), ...adminErrors } },
});

export const DecisionBodySchema = Type.Object({ comment: Type.Optional(CommentSchema) }, { additionalProperties: false });
export type DecisionBody = Static<typeof DecisionBodySchema>;

export const approveAccessRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/access-requests/:requestId/approve',
  auth: STAFF,
  successStatus: 200,
  schema: { params: RequestIdParamsSchema, body: DecisionBodySchema, response: { 200: AccessRequestSchema, ...adminErrors } },
});

export const denyAccessRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/access-requests/:requestId/deny',
  auth: STAFF,
  successStatus: 200,
  schema: { params: RequestIdParamsSchema, body: DecisionBodySchema, response: { 200: AccessRequestSchema, ...adminErrors } },
});

// ---- generate password ---------------------------------------------------------------------

export const GenerateOtpBodySchema = Type.Object(
  { clientId: IdSchema, osUser: OsUserSchema, email: EmailSchema, comment: Type.Optional(CommentSchema) },
  { additionalProperties: false },
);
export type GenerateOtpBody = Static<typeof GenerateOtpBodySchema>;

export const GenerateOtpResultSchema = Type.Object({ requestId: IdSchema, expiresAt: TimestampSchema }, { additionalProperties: false });

export const generateOtp = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/otp',
  auth: STAFF,
  successStatus: 201,
  schema: { body: GenerateOtpBodySchema, response: { 201: GenerateOtpResultSchema, ...adminErrors } },
});

import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { IdSchema, QueryIntegerSchema, TimestampSchema } from '../common.js';
import { STAFF, adminErrors } from './shared.js';
import { ExemptReasonSchema } from '../lock-decision.js';

// ---- sessions ------------------------------------------------------------------------------

export const SessionViaSchema = Type.Union([
  Type.Literal('otp'),
  Type.Literal('emergency'),
  Type.Literal('generated'),
  Type.Literal('offline'),
]);
export type SessionVia = Static<typeof SessionViaSchema>;

/** How a listed session was opened: any SessionVia, or (v1.2) `exempt`, by the lock-decision without an OTP (`exempt` says why). */
export const AdminSessionViaSchema = Type.Union([...SessionViaSchema.anyOf, Type.Literal('exempt')]);
export type AdminSessionVia = Static<typeof AdminSessionViaSchema>;
/**
 * `active`: open and heard from within NOT_RESPONDING_AFTER_MS; `not_responding`: open, but its
 * Client has missed 3 heartbeats (off the network, switched off, or gone); `ended`.
 */
export const SESSION_STATES = ['active', 'not_responding', 'ended'] as const;
export const SessionStateSchema = Type.Union(SESSION_STATES.map((s) => Type.Literal(s)));
export type SessionState = Static<typeof SessionStateSchema>;

export const AdminSessionSchema = Type.Object(
  {
    sessionId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    userName: Type.String(),
    osUser: Type.String(),
    email: Type.String(),
    via: AdminSessionViaSchema,
    startedAt: TimestampSchema,
    lastSeenAt: TimestampSchema,
    endedAt: Type.Union([TimestampSchema, Type.Null()]),
    /** v1.2: present on a session the lock-decision opened without an OTP (via `exempt`): why it was not locked. */
    exempt: Type.Optional(ExemptReasonSchema),
    state: SessionStateSchema,
  },
  { additionalProperties: false },
);
export type AdminSession = Static<typeof AdminSessionSchema>;

export const ListSessionsQuerySchema = Type.Object(
  {
    /** Matches computer, osUser or email (substring, case-insensitive). */
    q: Type.Optional(Type.String({ maxLength: 200 })),
    active: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    limit: Type.Optional(QueryIntegerSchema),
    offset: Type.Optional(QueryIntegerSchema),
  },
  { additionalProperties: false },
);

export const listSessions = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/sessions',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListSessionsQuerySchema, response: { 200: Type.Array(AdminSessionSchema), ...adminErrors } },
});

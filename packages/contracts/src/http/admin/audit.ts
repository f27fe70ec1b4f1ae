import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { QueryIntegerSchema, TimestampSchema } from '../common.js';
import { STAFF, adminErrors } from './shared.js';

// ---- audit ---------------------------------------------------------------------------------

export const AuditEventSchema = Type.Object(
  {
    id: Type.Integer(),
    at: TimestampSchema,
    type: Type.String(),
    actor: Type.Union([Type.String(), Type.Null()]),
    clientId: Type.Union([Type.String(), Type.Null()]),
    computerName: Type.Union([Type.String(), Type.Null()]),
    osUser: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEventSchema>;

export const ListAuditQuerySchema = Type.Object(
  {
    limit: Type.Optional(QueryIntegerSchema),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    computer: Type.Optional(Type.String({ maxLength: 255 })),
    user: Type.Optional(Type.String({ maxLength: 256 })),
    since: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    until: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);

export const listAudit = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/audit',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListAuditQuerySchema, response: { 200: Type.Array(AuditEventSchema), ...adminErrors } },
});

import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { CommentSchema, IdSchema, OsUserSchema, QueryIntegerSchema, TimestampSchema } from '../common.js';
import { OfflineCodeInputSchema } from '../client.js';
import { ADMIN_ONLY, STAFF, adminErrors } from './shared.js';
import { ClientIdParamsSchema } from './clients.js';

// ---- offline unlock ------------------------------------------------------------------------

export const OfflineResponseBodySchema = Type.Object(
  {
    osUser: OsUserSchema,
    challenge: OfflineCodeInputSchema,
    /** Why the helpdesk gives access (who called, ticket); audited. */
    reason: Type.Optional(CommentSchema),
  },
  { additionalProperties: false },
);
export type OfflineResponseBody = Static<typeof OfflineResponseBodySchema>;

export const OfflineResponseResultSchema = Type.Object(
  /** `responseCode` is 10 characters of the offline alphabet, ungrouped; `expiresAt` is the latest it can work. */
  { responseCode: Type.String({ pattern: '^[0-9A-Z]{10}$' }), expiresAt: TimestampSchema },
  { additionalProperties: false },
);
export type OfflineResponseResult = Static<typeof OfflineResponseResultSchema>;

export const offlineResponse = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/clients/:clientId/offline-response',
  auth: STAFF,
  successStatus: 200,
  schema: { params: ClientIdParamsSchema, body: OfflineResponseBodySchema, response: { 200: OfflineResponseResultSchema, ...adminErrors } },
});

export const RotateOfflineKeyResultSchema = Type.Object(
  { clientId: IdSchema, offlineKeyVersion: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** A new offline key for the Client; the old one stops producing valid codes at once. */
export const rotateOfflineKey = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/clients/:clientId/offline-key',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { params: ClientIdParamsSchema, response: { 200: RotateOfflineKeyResultSchema, ...adminErrors } },
});

export const OfflineUnlockRecordSchema = Type.Object(
  {
    unlockId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    challenge: Type.String(),
    /** The staff member who asked for the response; null when the Client reported a code nobody asked for here. */
    issuedBy: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    issuedAt: Type.Union([TimestampSchema, Type.Null()]),
    usedAt: Type.Union([TimestampSchema, Type.Null()]),
    reportedAt: Type.Union([TimestampSchema, Type.Null()]),
    sessionId: Type.Union([IdSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type OfflineUnlockRecord = Static<typeof OfflineUnlockRecordSchema>;

export const listOfflineUnlocks = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/offline-unlocks',
  auth: STAFF,
  successStatus: 200,
  schema: {
    querystring: Type.Object({ limit: Type.Optional(QueryIntegerSchema) }, { additionalProperties: false }),
    response: { 200: Type.Array(OfflineUnlockRecordSchema), ...adminErrors },
  },
});

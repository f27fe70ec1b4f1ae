import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { IdSchema, OsUserSchema, TimestampSchema } from '../common.js';
import { ADMIN_ONLY, STAFF, adminErrors } from './shared.js';

// ---- verification lockouts (100 consecutive failures per Client and osUser) -----------------

export const LockoutSchema = Type.Object(
  {
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    failures: Type.Integer(),
    lockedAt: TimestampSchema,
  },
  { additionalProperties: false },
);
export type Lockout = Static<typeof LockoutSchema>;

export const listLockouts = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/lockouts',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: Type.Array(LockoutSchema), ...adminErrors } },
});

export const ClearLockoutBodySchema = Type.Object({ clientId: IdSchema, osUser: OsUserSchema }, { additionalProperties: false });

export const clearLockout = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/lockouts/clear',
  auth: ADMIN_ONLY,
  successStatus: 204,
  schema: { body: ClearLockoutBodySchema, response: { 204: Type.Null(), ...adminErrors } },
});

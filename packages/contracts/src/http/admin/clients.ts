import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { IdSchema, TimestampSchema } from '../common.js';
import { ClientRoleSchema } from '../client.js';
import { ADMIN_ONLY, STAFF, adminErrors } from './shared.js';

// ---- clients -------------------------------------------------------------------------------

export const AdminClientSchema = Type.Object(
  {
    clientId: IdSchema,
    computerName: Type.String(),
    allowOneTimePasswords: Type.Boolean(),
    enrolledAt: TimestampSchema,
    lastSeenAt: Type.Union([TimestampSchema, Type.Null()]),
    /** The address the enrollment came from (null for Clients enrolled before it was recorded). */
    enrolledFromAddress: Type.Union([Type.String(), Type.Null()]),
    /** Another live lock (or another guard) has the same computerName (case-insensitive): one may be an impostor. */
    duplicateName: Type.Boolean(),
    /** lock, machine (the installer's) or guard; a guard never makes its computer's lock a duplicate. */
    role: ClientRoleSchema,
  },
  { additionalProperties: false },
);
export type AdminClient = Static<typeof AdminClientSchema>;

export const listClients = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/clients',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: Type.Array(AdminClientSchema), ...adminErrors } },
});

export const ClientIdParamsSchema = Type.Object({ clientId: IdSchema }, { additionalProperties: false });

export const patchClient = defineRoute({
  method: 'PATCH',
  url: '/api/v1/admin/clients/:clientId',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: {
    params: ClientIdParamsSchema,
    body: Type.Object({ allowOneTimePasswords: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: AdminClientSchema, ...adminErrors },
  },
});

/** Removes a Client: its token is refused from then on and its pending requests are denied. */
export const deleteClient = defineRoute({
  method: 'DELETE',
  url: '/api/v1/admin/clients/:clientId',
  auth: ADMIN_ONLY,
  successStatus: 204,
  schema: { params: ClientIdParamsSchema, response: { 204: Type.Null(), ...adminErrors } },
});

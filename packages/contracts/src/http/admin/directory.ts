import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { TimestampSchema } from '../common.js';
import { STAFF, adminErrors } from './shared.js';

// ---- directory status ----------------------------------------------------------------------

/**
 * Whether the server has a directory (LATCHKEY_LDAP_URL) and whether it answered the last check:
 * `reachable` is null when none is configured. The check is one lookup bounded by the directory's
 * own timeout and is cached for DIRECTORY_STATUS_CACHE_MS, so polling it costs the directory little.
 */
export const DirectoryStatusSchema = Type.Object(
  {
    configured: Type.Boolean(),
    reachable: Type.Union([Type.Boolean(), Type.Null()]),
    checkedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type DirectoryStatus = Static<typeof DirectoryStatusSchema>;

export const DIRECTORY_STATUS_CACHE_MS = 10_000;

export const getDirectoryStatus = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/directory',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: DirectoryStatusSchema, ...adminErrors } },
});

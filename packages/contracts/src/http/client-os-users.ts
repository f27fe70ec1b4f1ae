import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { TimestampSchema } from './common.js';
import { ClientIdParamsSchema } from './admin.js';

/** An osUser exactly as that Client reported it, in a request or a session. */
export const SeenOsUserSchema = Type.Object({ osUser: Type.String(), lastSeenAt: TimestampSchema }, { additionalProperties: false });
export type SeenOsUser = Static<typeof SeenOsUserSchema>;

export const SEEN_OS_USERS_MAX = 20;

/** The osUsers seen on one Client (its requests and sessions), most recent first, at most SEEN_OS_USERS_MAX. */
export const listClientOsUsers = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/clients/:clientId/os-users',
  auth: { kind: 'admin', roles: ['admin', 'helpdesk'] },
  successStatus: 200,
  schema: { params: ClientIdParamsSchema, response: { 200: Type.Array(SeenOsUserSchema), ...errorResponses(401, 403, 404) } },
});

/** `DOMAIN\name` or `name@domain`: what a Windows Client reports for a domain account. */
export function hasDomain(osUser: string): boolean {
  return osUser.includes('\\') || osUser.includes('@');
}

/** The name without its domain, lower-cased: `CORP\Frank` and `frank@corp.example` both give `frank`. */
export function osUserNamePart(osUser: string): string {
  const slash = osUser.lastIndexOf('\\');
  const name = slash >= 0 ? osUser.slice(slash + 1) : osUser.split('@')[0]!;
  return name.toLowerCase();
}

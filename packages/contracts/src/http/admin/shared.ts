import type { RouteAuth } from '../route.js';
import { errorResponses } from '../errors-response.js';

/** Who may call: admins only, or staff (admins and helpdesk). */
export const ADMIN_ONLY: RouteAuth = { kind: 'admin', roles: ['admin'] };
export const STAFF: RouteAuth = { kind: 'admin', roles: ['admin', 'helpdesk'] };
export const adminErrors = errorResponses(401, 403, 404, 409);

import type { TSchema } from '@sinclair/typebox';
import { ErrorBodySchema } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Which Client token calls: a Client's own token by its role (`lock`, `machine`, `guard`), or `user`,
 * a per-user token (POST /client/user-tokens) that acts for one osUser only.
 */
export type ClientCaller = 'lock' | 'machine' | 'guard' | 'user';

/**
 * Who may call a route: anyone, an enrolled Client (Bearer clientToken), or a signed-in internal user.
 * A Client route is for locks (`lock`, `machine`, `user` tokens) unless it says `guard: true` (the
 * guard may call it too) or names its `callers`; any other token gets 403 `forbidden`.
 */
export type RouteAuth =
  | { kind: 'none' }
  | { kind: 'client'; guard?: true; callers?: readonly ClientCaller[] }
  | { kind: 'admin'; roles: readonly ('admin' | 'helpdesk')[] };

/** The tokens that may call a Client route. */
export function clientCallers(auth: { guard?: true; callers?: readonly ClientCaller[] }): readonly ClientCaller[] {
  return auth.callers ?? (auth.guard ? ['lock', 'machine', 'user', 'guard'] : ['lock', 'machine', 'user']);
}

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<number, TSchema>;
}

/**
 * The API level a caller speaks, sent by the typed client (`call`) on every request in the
 * `latchkey-api` header. Locks of v1.1 and earlier send none, and refuse an answer with a field their
 * schema does not name ("does not match the contract"): a route whose answer grew since then says in
 * `olderLocks` what those locks read, and the server answers a caller without the header in that shape,
 * so a fleet can still be upgraded server first.
 */
export const API_LEVEL = '1.2';
export const API_LEVEL_HEADER = 'latchkey-api';

export interface RouteDescriptor<S extends RouteSchema = RouteSchema, Ok extends number = number> {
  method: HttpMethod;
  url: string;
  auth: RouteAuth;
  /** The status answered on success; the typed client returns that status's body. */
  successStatus: Ok;
  schema: S;
  /** The success answer as locks of v1.1 and earlier read it (see API_LEVEL), where it differs from `schema`'s. */
  olderLocks?: TSchema;
}

export function defineRoute<const S extends RouteSchema, const Ok extends keyof S['response'] & number>(
  route: RouteDescriptor<S, Ok>,
): RouteDescriptor<S, Ok> {
  // A token outside a Client route's callers is refused (403 forbidden): say so
  // once here, so the OpenAPI document and the response checks know that answer on each of them.
  const response = route.schema.response as Record<number, TSchema>;
  if (route.auth.kind === 'client' && clientCallers(route.auth).length < 4 && !(403 in response)) response[403] = ErrorBodySchema;
  return route;
}

import type { TSchema } from '@sinclair/typebox';
import { ErrorBodySchema } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route: anyone, an enrolled Client (Bearer clientToken), or a signed-in internal user.
 * A Client route is for locks only unless it says `guard: true` (the guard may call it too).
 */
export type RouteAuth = { kind: 'none' } | { kind: 'client'; guard?: true } | { kind: 'admin'; roles: readonly ('admin' | 'helpdesk')[] };

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<number, TSchema>;
}

export interface RouteDescriptor<S extends RouteSchema = RouteSchema, Ok extends number = number> {
  method: HttpMethod;
  url: string;
  auth: RouteAuth;
  /** The status answered on success; the typed client returns that status's body. */
  successStatus: Ok;
  schema: S;
}

export function defineRoute<const S extends RouteSchema, const Ok extends keyof S['response'] & number>(
  route: RouteDescriptor<S, Ok>,
): RouteDescriptor<S, Ok> {
  // A guard's token is refused (403 forbidden) on every Client route that is for locks only: say so
  // once here, so the OpenAPI document and the response checks know that answer on each of them.
  const response = route.schema.response as Record<number, TSchema>;
  if (route.auth.kind === 'client' && !route.auth.guard && !(403 in response)) response[403] = ErrorBodySchema;
  return route;
}

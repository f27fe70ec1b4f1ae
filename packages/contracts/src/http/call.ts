import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorBodySchema, type ErrorCode } from '../errors.js';
import { API_LEVEL, API_LEVEL_HEADER, type RouteDescriptor, type RouteSchema } from './route.js';

/**
 * The part of `fetch` the client needs; both browsers and Node provide it. A caller that wants a
 * timeout wraps its fetch (an AbortSignal is outside what contracts may name).
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; credentials?: 'include' | 'same-origin' | 'omit' },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

type StaticOr<T, Fallback> = T extends TSchema ? Static<T> : Fallback;

export type RouteInput<R extends RouteDescriptor> = (R['schema']['params'] extends TSchema
  ? { params: Static<R['schema']['params']> }
  : { params?: undefined }) &
  (R['schema']['querystring'] extends TSchema ? { query?: Static<R['schema']['querystring']> } : { query?: undefined }) &
  (R['schema']['body'] extends TSchema ? { body: Static<R['schema']['body']> } : { body?: undefined });

export type RouteOutput<R extends RouteDescriptor> =
  R extends RouteDescriptor<infer S extends RouteSchema, infer Ok> ? StaticOr<S['response'][Ok], never> : never;

export type ClientErrorCode = ErrorCode | 'network_error' | 'bad_response';

/** Any answer other than the route's success status, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Origin of the server, e.g. `https://latchkey.example.com`; empty for same-origin pages. */
  baseUrl: string;
  fetch: FetchLike;
  /** Bearer token sent when present (clientToken, or an admin token). */
  token?: () => string | undefined;
  /** Extra headers, e.g. the console's CSRF token. */
  headers?: () => Record<string, string>;
  credentials?: 'include' | 'same-origin' | 'omit';
}

export function buildUrl(url: string, params?: Record<string, string>, query?: Record<string, string | undefined>): string {
  const path = url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const search = Object.entries(query ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return search ? `${path}?${search}` : path;
}

/**
 * Calls one route of the contract and returns its success body, validated against the route's
 * schema. Every other outcome becomes an `ApiError` carrying the server's error code.
 */
export async function call<R extends RouteDescriptor>(options: ApiClientOptions, route: R, input: RouteInput<R>): Promise<RouteOutput<R>> {
  const headers: Record<string, string> = { accept: 'application/json', [API_LEVEL_HEADER]: API_LEVEL, ...(options.headers?.() ?? {}) };
  const token = options.token?.();
  if (token) headers.authorization = `Bearer ${token}`;
  // The same schema the server applies: refuse here what it would refuse (e.g. invisible characters in
  // a name), with a message, instead of sending it.
  const bodySchema = route.schema.body;
  if (bodySchema && input.body !== undefined && !Value.Check(bodySchema, input.body)) {
    const field = Value.Errors(bodySchema, input.body).First()?.path.replace(/^\//, '');
    throw new ApiError(
      400,
      'invalid_request',
      field ? `${field} is not valid: check its length and form, and remove invisible or control characters.` : 'The request is not valid.',
    );
  }
  let body: string | undefined;
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  }
  const url =
    options.baseUrl.replace(/\/$/, '') +
    buildUrl(route.url, input.params as Record<string, string> | undefined, input.query as Record<string, string | undefined> | undefined);

  let response: Awaited<ReturnType<FetchLike>>;
  let text: string;
  try {
    response = await options.fetch(url, {
      method: route.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    text = await response.text();
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }

  let parsed: unknown = null;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'bad_response', 'The server sent an answer that is not JSON.');
    }
  }

  if (response.status === route.successStatus) {
    const schema = route.schema.response[route.successStatus];
    if (schema && !Value.Check(schema, parsed)) {
      throw new ApiError(response.status, 'bad_response', 'The server sent an answer that does not match the contract.');
    }
    return parsed as RouteOutput<R>;
  }

  if (Value.Check(ErrorBodySchema, parsed)) {
    const retryHeader = Number(response.headers.get('retry-after'));
    const retryAfter = parsed.retryAfterSeconds ?? (Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : undefined);
    throw new ApiError(response.status, parsed.error.code, parsed.error.message, retryAfter);
  }
  throw new ApiError(response.status, 'bad_response', `Unexpected answer (HTTP ${response.status}).`);
}

/** A client bound to one set of options: `api(route, input)`. */
export function createApiClient(options: ApiClientOptions) {
  return <R extends RouteDescriptor>(route: R, input: RouteInput<R>) => call(options, route, input);
}
export type ApiClient = ReturnType<typeof createApiClient>;

import { buildUrl, createApiClient, type ApiClient, type FetchLike, type RouteDescriptor } from '@latchkey/contracts';

/** What these helpers need of a Fastify instance: `inject`, light-my-request's in-process HTTP. */
export interface Injectable {
  inject(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
    remoteAddress?: string;
  }): PromiseLike<InjectAnswer>;
}

/** How the in-process calls are sent, besides what the route says. */
export interface InjectOptions {
  /** The caller's address, for the tests of per-address budgets (light-my-request's default is 127.0.0.1). */
  remoteAddress?: string;
  /** More request headers (e.g. a forged X-Forwarded-For). */
  headers?: Record<string, string>;
}

export interface InjectAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The body parsed, untyped: these answers are the ones outside the contract's types. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

/**
 * A fetch for the contracts' `call()` that goes through `app.inject`: the whole route (hooks,
 * schemas, error handler) runs, no socket is opened. Only path and query of the URL are used.
 */
export function injectFetch(app: Injectable, options: InjectOptions = {}): FetchLike {
  return async (url, init) => {
    const { pathname, search } = new URL(url, 'http://127.0.0.1');
    const res = await app.inject({
      method: init.method,
      url: pathname + search,
      headers: { ...options.headers, ...init.headers },
      ...(init.body === undefined ? {} : { payload: init.body }),
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    });
    return {
      status: res.statusCode,
      headers: {
        get(name) {
          const value = res.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : String(value);
        },
      },
      text: () => Promise.resolve(res.body),
    };
  };
}

/**
 * The typed client of the contracts, in process: `api(routes.verifyOtp, { body })`, as `token` when
 * given, from `options.remoteAddress` when given.
 */
export function injectApi(app: Injectable, token?: string, options: InjectOptions = {}): ApiClient {
  return createApiClient({ baseUrl: '', fetch: injectFetch(app, options), token: () => token });
}

/**
 * One route of the contract with any body, unchecked, for the tests that send what the schema
 * refuses; the raw answer comes back. Ordinary calls go through `injectApi`.
 */
export function injectRoute(
  app: Injectable,
  route: RouteDescriptor,
  input: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; token?: string } & InjectOptions = {},
): PromiseLike<InjectAnswer> {
  const headers: Record<string, string> = { ...input.headers, ...(input.token ? { authorization: `Bearer ${input.token}` } : {}) };
  if (input.body !== undefined) headers['content-type'] = 'application/json';
  return app.inject({
    method: route.method,
    url: buildUrl(route.url, input.params, input.query),
    headers,
    ...(input.body === undefined ? {} : { payload: JSON.stringify(input.body) }),
    ...(input.remoteAddress ? { remoteAddress: input.remoteAddress } : {}),
  });
}

import { ApiError, createApiClient, type FetchLike, type RouteDescriptor, type RouteInput, type RouteOutput } from '@latchkey/contracts';

/**
 * The one way the console talks to the server: the typed contract client, same-origin cookie
 * session, and the CSRF token (learnt at sign-in or from /me) on every request.
 */
let csrfToken = '';
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when any call answers 401: the session ended (idle or signed out elsewhere). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** The contract client, with `signal` handed to fetch so a loader can cancel a request it no longer needs. */
function clientFor(signal: AbortSignal | undefined) {
  const browserFetch: FetchLike = (url, init) => window.fetch(url, signal ? { ...init, signal } : init);
  return createApiClient({
    baseUrl: '',
    fetch: browserFetch,
    credentials: 'same-origin',
    headers: (): Record<string, string> => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
  });
}

const client = clientFor(undefined);

/** Calls one route through the contract's typed `call()`; an aborted request rejects (and nobody reads it). */
export async function api<R extends RouteDescriptor>(route: R, input: RouteInput<R>, signal?: AbortSignal): Promise<RouteOutput<R>> {
  try {
    return await (signal ? clientFor(signal) : client)(route, input);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && route.auth.kind === 'admin') {
      for (const listener of unauthorizedListeners) listener();
    }
    throw err;
  }
}

/** A sentence for a person: the server's message, or a plain fallback. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network_error') return 'The server could not be reached. Check the connection and try again.';
    if (err.code === 'rate_limited') return `Too many requests. Try again in ${err.retryAfterSeconds ?? 60} seconds.`;
    return err.message;
  }
  return 'Something went wrong. Try again.';
}

export { ApiError };

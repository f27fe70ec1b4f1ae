import { ApiError, createApiClient, type FetchLike } from '@latchkey/contracts';

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

const browserFetch: FetchLike = (url, init) => window.fetch(url, init);

const client = createApiClient({
  baseUrl: '',
  fetch: browserFetch,
  credentials: 'same-origin',
  headers: (): Record<string, string> => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
});

export const api: typeof client = async (route, input) => {
  try {
    return await client(route, input);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && route.auth.kind === 'admin') {
      for (const listener of unauthorizedListeners) listener();
    }
    throw err;
  }
};

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

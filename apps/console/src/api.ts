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

/**
 * The contract client, with `signal` handed to fetch so a loader can cancel a request it no longer
 * needs, and `onHeaders` shown each answer's headers (a list's total travels in one).
 */
function clientFor(signal: AbortSignal | undefined, onHeaders?: (headers: Headers) => void) {
  const browserFetch: FetchLike = async (url, init) => {
    const res = await window.fetch(url, signal ? { ...init, signal } : init);
    onHeaders?.(res.headers);
    return res;
  };
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
  return through(signal ? clientFor(signal) : client, route, input);
}

/** Any 401 on a console route tells the listeners that the session ended. */
async function through<R extends RouteDescriptor>(apiClient: ReturnType<typeof clientFor>, route: R, input: RouteInput<R>) {
  try {
    return await apiClient(route, input);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && route.auth.kind === 'admin') {
      for (const listener of unauthorizedListeners) listener();
    }
    throw err;
  }
}

/**
 * A list route that also gives the number of all matching rows in `totalHeader` (the page may hold
 * fewer): the rows and that total (undefined when the header is missing).
 */
export async function apiWithTotal<R extends RouteDescriptor>(
  route: R,
  input: RouteInput<R>,
  totalHeader: string,
  signal?: AbortSignal,
): Promise<{ rows: RouteOutput<R>; total: number | undefined }> {
  let total: number | undefined;
  const withHeaders = clientFor(signal, (headers) => {
    const value = Number(headers.get(totalHeader));
    total = headers.has(totalHeader) && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  });
  const rows = await through(withHeaders, route, input);
  return { rows, total };
}

export { ApiError };

import type { FetchLike } from '@latchkey/contracts';

/**
 * Several servers (nodes on one database, docs/client.md "Several servers"): one `fetch` that the
 * lock and the guard use instead of the network's. Each call goes to the server that answered last,
 * then to the others in configured order. Every node signs verdicts with the same key, so the pinned
 * key verifies whichever node answers.
 *
 * An HTTP answer is an answer: a 4xx (a wrong code, an unknown token) goes back to the caller as it
 * is. What moves on to the next server: a connection error, no answer within the timeout, and
 * 502/503/504 (a load balancer without a node, a node whose database is down).
 *
 * A request that changes something (anything but GET and HEAD) may have been carried out by a
 * server that answered too late (a timeout, a 504): it is never sent twice. The next server takes
 * over from the next call on, and this call fails as an unreachable server does (the lock retries).
 * A refused connection, a 502 or a 503 means the request was not carried out: it goes on at once.
 */

/** The network's fetch, which also takes an abort signal (Electron's net.fetch, Node's fetch). */
export type AbortableFetch = (url: string, init: Parameters<FetchLike>[1] & { signal?: AbortSignal }) => ReturnType<FetchLike>;

export interface ServerFailoverOptions {
  /** Base URLs, checked (machine-config.ts checkServerUrl), in the order the installer gave them. */
  servers: readonly string[];
  fetch: AbortableFetch;
  /**
   * How long a server has to answer before the next is tried; a status long-poll adds its wait.
   * Default: 3 s with several servers; 15 s with one, which has no other to turn to.
   */
  timeoutMs?: number;
  /** Called when calls move to another server. */
  onSwitch?: (from: string, to: string, reason: string) => void;
}

export interface ServerFailover {
  /** Build request URLs on this (the first server); `fetch` sends them to whichever answers. */
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  /** The server the next call goes to first. */
  current(): string;
}

export const DEFAULT_FAILOVER_TIMEOUT_MS = 3_000;
export const SINGLE_SERVER_TIMEOUT_MS = 15_000;
const NO_NODE = new Set([502, 503, 504]);
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A status long-poll is held by the server up to waitSeconds: that time comes on top of the timeout. */
function heldMs(url: string): number {
  return Number(/[?&]waitSeconds=(\d{1,3})(?:&|$)/.exec(url)?.[1] ?? 0) * 1000;
}

class ServerTimeoutError extends Error {
  override name = 'ServerTimeoutError';
}

export function createServerFailover(options: ServerFailoverOptions): ServerFailover {
  const servers = [...options.servers];
  if (servers.length === 0) throw new Error('createServerFailover needs at least one server.');
  const timeoutMs = options.timeoutMs ?? (servers.length > 1 ? DEFAULT_FAILOVER_TIMEOUT_MS : SINGLE_SERVER_TIMEOUT_MS);
  let preferred = 0;

  const order = () => [preferred, ...servers.map((_, i) => i).filter((i) => i !== preferred)];
  const prefer = (index: number, reason: string) => {
    if (index === preferred) return;
    options.onSwitch?.(servers[preferred]!, servers[index]!, reason);
    preferred = index;
  };
  /** The part after whichever configured server the URL was built on (the first, or an old token's). */
  const pathOf = (url: string) => {
    for (const server of servers) {
      if (url === server || url.startsWith(`${server}/`) || url.startsWith(`${server}?`)) return url.slice(server.length);
    }
    throw new Error(`Not a URL of a configured server: ${url}`);
  };

  async function attempt(url: string, init: Parameters<FetchLike>[1]) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new ServerTimeoutError('no answer in time')), timeoutMs + heldMs(url));
    try {
      return await options.fetch(url, { ...init, signal: abort.signal });
    } catch (err) {
      throw abort.signal.aborted ? new ServerTimeoutError(`${new URL(url).host} did not answer within ${timeoutMs} ms`) : err;
    } finally {
      clearTimeout(timer);
    }
  }

  const fetch: FetchLike = async (url, init) => {
    const path = pathOf(url);
    const resend = SAFE_METHODS.has(init.method.toUpperCase());
    const tried = order();
    let lastResponse: Awaited<ReturnType<FetchLike>> | undefined;
    let lastError: unknown;
    for (const [n, index] of tried.entries()) {
      const next = tried[n + 1];
      try {
        const response = await attempt(servers[index]! + path, init);
        if (!NO_NODE.has(response.status)) {
          prefer(index, 'answered');
          return response;
        }
        lastResponse = response;
        lastError = undefined;
        if (next === undefined) break;
        prefer(next, `HTTP ${response.status}`);
        // A 504: the node behind the balancer may have carried it out.
        if (response.status === 504 && !resend) return response;
      } catch (err) {
        lastError = err;
        lastResponse = undefined;
        if (next === undefined) break;
        prefer(next, (err as Error).message ?? 'error');
        if (err instanceof ServerTimeoutError && !resend) throw err;
      }
    }
    if (lastResponse) return lastResponse;
    throw lastError;
  };

  return { baseUrl: servers[0]!, fetch, current: () => servers[preferred]! };
}

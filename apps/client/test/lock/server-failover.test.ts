import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_LEVEL_HEADER, ApiError, createApiClient, routes, type FetchLike } from '@latchkey/contracts';
import { ENROLLMENT_KEY } from '@latchkey/server/test-app';
import { createServerFailover, DEFAULT_FAILOVER_TIMEOUT_MS, type AbortableFetch } from '../../src/lock/server-failover.js';
import { closedPort, startServer, type LiveServer } from '../support/server.js';

type Mode = 'pass' | 'hang' | 502 | 503 | 504;

/**
 * One node as the Client sees it: an HTTP front on loopback that records what reached it and either
 * passes it to a real server, answers a status of its own (a balancer without a node), or accepts
 * the connection and never answers (a hung node).
 */
interface Node {
  url: string;
  seen: string[];
  mode: Mode;
  stop(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startNode(upstream: string | undefined, mode: Mode): Promise<Node> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await body(request);
      node.seen.push(`${request.method} ${request.url}`);
      if (node.mode === 'hang') return;
      if (node.mode !== 'pass' || !upstream) {
        response.writeHead(node.mode === 'pass' ? 500 : node.mode, { 'content-type': 'text/plain' }).end('no node');
        return;
      }
      const headers: Record<string, string> = {};
      // As a reverse proxy does: the request's own headers go on.
      for (const name of ['content-type', 'authorization', API_LEVEL_HEADER])
        if (request.headers[name]) headers[name] = String(request.headers[name]);
      const answer = await fetch(upstream + request.url, { method: request.method, headers, body: text || undefined });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const node: Node = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: [],
    mode,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return node;
}

const netFetch: AbortableFetch = (url, init) => fetch(url, init);
const health = (failover: { baseUrl: string; fetch: FetchLike }) =>
  createApiClient({ baseUrl: failover.baseUrl, fetch: failover.fetch })(routes.health, {});
const enroll = (failover: { baseUrl: string; fetch: FetchLike }, computerName: string) =>
  createApiClient({ baseUrl: failover.baseUrl, fetch: failover.fetch })(routes.enroll, {
    body: { enrollmentKey: ENROLLMENT_KEY, computerName },
  });

describe('a Client with several servers fails over (issue 20)', () => {
  let serverA: LiveServer;
  let serverB: LiveServer;
  let closed: string;
  const nodes: Node[] = [];
  const node = async (upstream: LiveServer | undefined, mode: Mode) => {
    const started = await startNode(upstream?.baseUrl, mode);
    nodes.push(started);
    return started;
  };

  beforeAll(async () => {
    [serverA, serverB] = await Promise.all([startServer(), startServer()]);
    closed = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all([serverA?.stop(), serverB?.stop()]);
  });

  it('tries the servers in the configured order: a closed port, then the first that answers', async () => {
    const [a, b] = [await node(serverA, 'pass'), await node(serverB, 'pass')];
    const switches: string[] = [];
    const failover = createServerFailover({
      servers: [closed, a.url, b.url],
      fetch: netFetch,
      onSwitch: (from, to) => switches.push(`${from} -> ${to}`),
    });
    expect(failover.baseUrl).toBe(closed);
    expect((await health(failover)).status).toBe('ok');
    expect(a.seen).toEqual(['GET /api/v1/health']);
    expect(b.seen).toEqual([]);
    expect(failover.current()).toBe(a.url);
    expect(switches).toEqual([`${closed} -> ${a.url}`]);
  });

  it('gives a server that accepts and never answers the timeout, then asks the next', async () => {
    const hung = await node(undefined, 'hang');
    const a = await node(serverA, 'pass');
    // Long enough that the live server answers within it on a loaded machine; the hung one never does.
    const failover = createServerFailover({ servers: [hung.url, a.url], fetch: netFetch, timeoutMs: 1_000 });
    const started = Date.now();
    expect((await health(failover)).status).toBe('ok');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThan(6_000);
    expect(hung.seen).toEqual(['GET /api/v1/health']);
    expect(a.seen).toEqual(['GET /api/v1/health']);
    expect(DEFAULT_FAILOVER_TIMEOUT_MS).toBe(3_000);
  });

  it('never sends a request that changes something twice: a timed-out POST fails, the next call goes on', async () => {
    const hung = await node(undefined, 'hang');
    const a = await node(serverA, 'pass');
    // The timeout also bounds the live server's enroll (a hashed key), so leave it time on a loaded machine.
    const failover = createServerFailover({ servers: [hung.url, a.url], fetch: netFetch, timeoutMs: 2_000 });
    await expect(enroll(failover, 'PC-FAILOVER-HUNG')).rejects.toThrow(/could not be reached/);
    expect(hung.seen).toEqual([`POST ${routes.enroll.url}`]);
    expect(a.seen).toEqual([]);
    // The lock retries: the next call goes to the server that is not hung.
    expect(failover.current()).toBe(a.url);
    expect((await enroll(failover, 'PC-FAILOVER-HUNG')).clientToken).toBeTruthy();
    expect(hung.seen).toHaveLength(1);
    expect(a.seen).toEqual([`POST ${routes.enroll.url}`]);
  });

  it('keeps the server that answered last first, also once the first is back', async () => {
    const a = await node(serverA, 'pass');
    const b = await node(serverB, 'pass');
    const failover = createServerFailover({ servers: [a.url, b.url], fetch: netFetch });
    await health(failover);
    expect(failover.current()).toBe(a.url);

    a.mode = 503; // A's database is down: B answers
    await health(failover);
    expect(failover.current()).toBe(b.url);
    a.mode = 'pass'; // A is back: calls stay on B
    for (let i = 0; i < 3; i++) await health(failover);
    expect(a.seen).toEqual(['GET /api/v1/health', 'GET /api/v1/health']);
    expect(b.seen).toHaveLength(4);

    b.mode = 502; // until B goes: back to A, and A stays first
    await health(failover);
    b.mode = 'pass';
    await health(failover);
    expect(failover.current()).toBe(a.url);
    expect(a.seen).toHaveLength(4);
    expect(b.seen).toHaveLength(5);
  });

  it('an HTTP 4xx is an answer: a refused token is not asked of the next server', async () => {
    const a = await node(serverA, 'pass');
    const b = await node(serverB, 'pass');
    const failover = createServerFailover({ servers: [a.url, b.url], fetch: netFetch });
    const lock = createApiClient({ baseUrl: failover.baseUrl, fetch: failover.fetch, token: () => 'not-a-client-token-of-any-server' });
    const refused = await lock(routes.getPolicy, {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(401);
    // A token of server A: an unknown request is a 404 from A, and stays one.
    const token = await serverA.enroll('PC-FAILOVER-4XX');
    const enrolled = createApiClient({ baseUrl: failover.baseUrl, fetch: failover.fetch, token: () => token });
    const unknown = await enrolled(routes.getOtpRequest, { params: { requestId: 'req_not_known_anywhere' } }).catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(ApiError);
    expect((unknown as ApiError).status).toBe(404);
    expect(a.seen).toHaveLength(2);
    expect(b.seen).toEqual([]);
    expect(failover.current()).toBe(a.url);
  });

  it('a 503 (a node without its database) is failed over, POSTs included: it carried nothing out', async () => {
    const down = await node(serverA, 503);
    const b = await node(serverB, 'pass');
    const failover = createServerFailover({ servers: [down.url, b.url], fetch: netFetch });
    const answer = await enroll(failover, 'PC-FAILOVER-503');
    expect(answer.clientToken).toBeTruthy();
    expect(down.seen).toEqual([`POST ${routes.enroll.url}`]);
    expect(b.seen).toEqual([`POST ${routes.enroll.url}`]);
    // Enrolled on the node that answered: its token works there.
    const lock = createApiClient({ baseUrl: failover.baseUrl, fetch: failover.fetch, token: () => answer.clientToken });
    expect((await lock(routes.getPolicy, {})).computerName).toBe('PC-FAILOVER-503');
    expect(down.seen).toHaveLength(1);
  });

  it('when no server answers, the caller gets the last answer or the last error', async () => {
    const down = await node(undefined, 503);
    const gone = createServerFailover({ servers: [closed], fetch: netFetch });
    await expect(health(gone)).rejects.toThrow();
    const failover = createServerFailover({ servers: [closed, down.url], fetch: netFetch });
    const answer = await failover.fetch(`${closed}/api/v1/health`, { method: 'GET', headers: {} });
    expect(answer.status).toBe(503);
  });

  it('sends a URL built on any configured server to the one that answers, and refuses others', async () => {
    const a = await node(serverA, 'pass');
    const failover = createServerFailover({ servers: [closed, a.url], fetch: netFetch });
    expect((await failover.fetch(`${a.url}/api/v1/health`, { method: 'GET', headers: {} })).status).toBe(200);
    await expect(failover.fetch('http://127.0.0.1:1/api/v1/health', { method: 'GET', headers: {} })).rejects.toThrow(
      /Not a URL of a configured server/,
    );
    expect(() => createServerFailover({ servers: [], fetch: netFetch })).toThrow();
  });
});

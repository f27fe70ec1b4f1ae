import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { useServerProcess } from '@latchkey/test-support/vitest';

const REQUEST_TIMEOUT_MS = 1500;

/** Opens a socket and dribbles `chunks` one every `everyMs` (raw bytes: the slowness is the attack); resolves when the server closes it. */
function dribble(port: number, chunks: string[], everyMs: number): Promise<{ closedAfterMs: number; received: string; sentAll: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, received, sentAll: sent >= chunks.length });
    });
    socket.on('connect', () => {
      timer = setInterval(() => {
        if (sent < chunks.length && !socket.destroyed) socket.write(chunks[sent++]!);
      }, everyMs);
    });
    // Safety net: never hang the test run.
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

describe('slow clients', () => {
  const server = useServerProcess({ env: { LATCHKEY_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });

  it('cuts off a client that sends its headers a byte at a time once the request timeout passes', async () => {
    const request = `POST ${routes.verifyOtp.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(200)}`;
    const result = await dribble(server.port, request.split(''), 50);
    expect(result.sentAll).toBe(false);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS * 4);
    if (result.received) expect(result.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client whose body never finishes', async () => {
    const head = `POST ${routes.enroll.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n`;
    const result = await dribble(server.port, [head, ...'{"enrollmentKey":"'.split(''), ...'x'.repeat(380).split('')], 50);
    expect(result.sentAll).toBe(false);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS * 4);
  });

  it('keeps answering other clients while twenty slow ones hold sockets', async () => {
    const slow = Array.from({ length: 20 }, () =>
      dribble(server.port, `GET ${routes.health.url} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'b'.repeat(100)}`.split(''), 100),
    );
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await server.api()(routes.health, {});
    expect(Date.now() - started).toBeLessThan(1000);
    const results = await Promise.all(slow);
    expect(results.every((r) => !r.sentAll)).toBe(true);
  });
});

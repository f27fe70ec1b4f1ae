import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, buildUrl, createApiClient, routes } from '../src/index.js';

let server: Server;
let baseUrl: string;
let answer: { status: number; body: string; headers?: Record<string, string> };
let seen: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const api = () => createApiClient({ baseUrl, fetch, token: () => 'client-token-abcdefghijklmnopqrstuvwxyz' });

describe('call()', () => {
  it('sends the body and bearer token and returns the validated success body', async () => {
    const verdict = { time: 1, signature: 'A'.repeat(86) };
    answer = { status: 200, body: JSON.stringify({ allowed: true, sessionId: 'abcdefgh1234', verdict }) };
    const body = { osUser: 'ann', email: 'ann@corp.example.com', otp: '01234567', nonce: 'bm9uY2Utbm9uY2Utbm9uY2U' };
    const result = await api()(routes.verifyOtp, { body });
    expect(result).toEqual({ allowed: true, sessionId: 'abcdefgh1234', verdict });
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/v1/otp/verify');
    expect(seen.headers?.authorization).toBe('Bearer client-token-abcdefghijklmnopqrstuvwxyz');
    expect(JSON.parse(seen.body!)).toEqual(body);
  });

  it('refuses a body the server would refuse (a zero-width space in a computer name) without sending it', async () => {
    seen = {};
    const refused = await api()(routes.enroll, { body: { enrollmentKey: 'k'.repeat(20), computerName: 'PC-1\u200b' } }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((refused as ApiError).message).toContain('computerName');
    expect(seen.method).toBeUndefined();
  });

  it('fills path parameters, encoded', async () => {
    answer = { status: 200, body: JSON.stringify({ requestId: 'abcdefgh1234', status: 'pending', email: 'a@b.co' }) };
    await api()(routes.getOtpRequest, { params: { requestId: 'abcdefgh1234' } });
    expect(seen.url).toBe('/api/v1/otp/requests/abcdefgh1234');
    expect(buildUrl('/x/:login', { login: 'a b/c' }, { q: 'x&y', skip: undefined })).toBe('/x/a%20b%2Fc?q=x%26y');
  });

  it('turns an error answer into an ApiError with its code and Retry-After', async () => {
    answer = {
      status: 429,
      body: JSON.stringify({ error: { code: 'otp_interval', message: 'wait' }, retryAfterSeconds: 120 }),
      headers: { 'retry-after': '120' },
    };
    const err = await api()(routes.createOtpRequest, { body: { osUser: 'ann', method: 'directory' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'otp_interval', retryAfterSeconds: 120 });
  });

  it('rejects a success answer that does not match the contract', async () => {
    answer = { status: 200, body: JSON.stringify({ allowed: 'yes' }) };
    const body = { osUser: 'ann', email: 'ann@corp.example.com', otp: '01234567', nonce: 'bm9uY2Utbm9uY2Utbm9uY2U' };
    const err = await api()(routes.verifyOtp, { body }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_response' });
  });

  it('reports an unreachable server as network_error', async () => {
    const down = createApiClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const err = await down(routes.health, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
  });
});

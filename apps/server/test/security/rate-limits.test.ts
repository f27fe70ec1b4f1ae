import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, ENROLLMENT_KEY, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

describe('rate limits', () => {
  it('limits each Client on its own budget, not by address, and ignores X-Forwarded-For', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '5', LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' } });
    const a = await t.enroll('A');
    const b = await t.enroll('B');
    const policy = (token: string, ip = '10.0.0.1') =>
      t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: { ...bearer(token), 'x-forwarded-for': ip } });
    for (let i = 0; i < 5; i++) expect((await policy(a.clientToken, `10.0.0.${i}`)).statusCode).toBe(200);
    const limited = await policy(a.clientToken, '10.9.9.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // same address, another Client: its own budget
    expect((await policy(b.clientToken)).statusCode).toBe(200);
  });

  it('never limits the health probe, however its URL is written', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' } });
    // A load balancer adding a query string still asks the health route.
    for (const url of ['/api/v1/health', '/api/v1/health?probe=lb', '/api/v1/health?probe=lb', '/api/v1/health?x=1', '/api/v1/health']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
    // The address's budget is still whole for API work.
    expect((await t.app.inject({ url: '/api/v1/client/policy' })).statusCode).toBe(401);
  });

  it('limits enrollment per address, and a rotating X-Forwarded-For does not help', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/clients/enroll',
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
        payload: { enrollmentKey: 'wrong-key', computerName: 'X' },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // v1.2: wrong keys never stop the right key from the same address (smaller-holes.test.ts).
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/clients/enroll',
      payload: { enrollmentKey: ENROLLMENT_KEY, computerName: 'X' },
    });
    expect(ok.statusCode).toBe(201);
  });
});

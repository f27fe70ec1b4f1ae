import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { injectApi, refusalOf } from '@latchkey/test-support';
import { buildTestApp, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

describe('rate limits', () => {
  it('limits each Client on its own budget, not by address, and ignores X-Forwarded-For', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '5', LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' } });
    const a = await t.enroll('A');
    const b = await t.enroll('B');
    const policy = (token: string, ip = '10.0.0.1') =>
      injectApi(t.app, token, { headers: { 'x-forwarded-for': ip } })(routes.getPolicy, {});
    for (let i = 0; i < 5; i++) await policy(a.clientToken, `10.0.0.${i}`);
    const limited = await refusalOf(policy(a.clientToken, '10.9.9.9'));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited?.retryAfterSeconds).toBeGreaterThan(0);
    // same address, another Client: its own budget
    await policy(b.clientToken);
  });

  it('never limits the health probe, however its URL is written', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2' } });
    // A load balancer adding a query string still asks the health route (raw: the URLs as it writes them, outside the contract).
    for (const url of ['/api/v1/health', '/api/v1/health?probe=lb', '/api/v1/health?probe=lb', '/api/v1/health?x=1', '/api/v1/health']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
    // The address's budget is still whole for API work.
    await expect(t.api()(routes.getPolicy, {})).rejects.toMatchObject({ status: 401 });
  });

  it('limits enrollment per address, and a rotating X-Forwarded-For does not help', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '3' } });
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const enroll = injectApi(t.app, undefined, { headers: { 'x-forwarded-for': `192.0.2.${i}` } })(routes.enroll, {
        body: { enrollmentKey: 'wrong-key', computerName: 'X' },
      });
      statuses.push((await refusalOf(enroll))?.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // v1.2: wrong keys never stop the right key from the same address (smaller-holes.test.ts).
    await t.enroll('X');
  });
});

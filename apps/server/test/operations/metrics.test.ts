import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { bearer, buildTestApp, onPostgres, type TestApp } from '../helper.js';
import { otpFromMail, testNonce } from '@latchkey/test-support';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** One sample's value from Prometheus text, by name and exact label set as printed. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is 404 when LATCHKEY_METRICS_TOKEN is unset', async () => {
    const t = await buildTestApp();
    try {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    } finally {
      await t.destroy();
    }
  });

  describe('with a token', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp({ env: { LATCHKEY_METRICS_TOKEN: TOKEN } });
    });
    afterAll(async () => {
      await t.destroy();
    });
    const scrape = (headers: Record<string, string> = bearer(TOKEN)) => t.app.inject({ method: 'GET', url: '/metrics', headers });

    it.each([
      ['no Authorization', {}],
      ['a wrong token', bearer('metrics-token-for-tests-0123456780')],
      ['a prefix of the token', bearer(TOKEN.slice(0, 20))],
      ['the token with another scheme', { authorization: `Basic ${TOKEN}` }],
    ])('refuses %s with 401', async (_what, headers) => {
      const res = await scrape(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
      expect(res.body).not.toContain('latchkey_');
    });

    it('counts requests by route pattern, OTPs issued, verified and refused, and shows queue, commit groups and event loop', async () => {
      const admin = await t.adminToken();
      const { clientId, clientToken } = await t.enroll('PC-METRICS');
      const mia = { osUser: 'CORP\\mia', email: 'mia@corp.example.com' };
      const { requestId } = await t.api(admin)(routes.generateOtp, { body: { clientId, ...mia } });
      const lock = t.api(clientToken);
      await lock(routes.getOtpRequest, { params: { requestId } });
      const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('mia@')));
      await expect(
        lock(routes.verifyOtp, { body: { ...mia, otp: otp === '00000000' ? '11111111' : '00000000', nonce: testNonce() } }),
      ).rejects.toMatchObject({
        status: 401,
      });
      await lock(routes.verifyOtp, { body: { ...mia, otp, nonce: testNonce() } });
      await new Promise((r) => setImmediate(r));

      const res = await scrape();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(sample(text, 'latchkey_otps_issued_total')).toBe(1);
      expect(sample(text, 'latchkey_otps_verified_total')).toBe(1);
      expect(sample(text, 'latchkey_otps_refused_total')).toBe(1);
      expect(sample(text, 'latchkey_http_requests_total{method="POST",route="/api/v1/otp/verify",status="401"}')).toBe(1);
      expect(sample(text, 'latchkey_http_requests_total{method="POST",route="/api/v1/otp/verify",status="200"}')).toBe(1);
      // The pattern, never the id: one series however many requests there are.
      expect(sample(text, 'latchkey_http_requests_total{method="GET",route="/api/v1/otp/requests/:requestId",status="200"}')).toBe(1);
      expect(text).not.toContain(requestId);
      expect(sample(text, 'latchkey_mail_queue_depth')).toBe(0);
      expect(sample(text, 'latchkey_mail_queue_oldest_age_seconds')).toBe(0);
      // Commit groups are SQLite's (one fsync per group); PostgreSQL commits each write itself.
      if (!onPostgres()) expect(sample(text, 'latchkey_commit_group_size_count')).toBeGreaterThan(0);
      expect(sample(text, 'latchkey_event_loop_delay_seconds')).toBeGreaterThanOrEqual(0);
      expect(text).toMatch(/^latchkey_nodejs_eventloop_lag_p99_seconds /m);
      expect(sample(text, 'latchkey_audit_events_total{type="otp.verified"}')).toBe(1);
      // Nothing secret: no code, token or address.
      for (const secret of [otp, clientToken, admin, 'mia@corp.example.com']) expect(text).not.toContain(secret);
    });

    it('shows a stuck mail queue: depth and the age of the oldest mail', async () => {
      const admin = await t.adminToken();
      const { clientId } = await t.enroll('PC-METRICS-2');
      t.smtp.setDown(true);
      try {
        await t.api(admin)(routes.generateOtp, { body: { clientId, osUser: 'CORP\\noah', email: 'noah@corp.example.com' } });
        t.clock.advance(90_000);
        const text = (await scrape()).body;
        expect(sample(text, 'latchkey_mail_queue_depth')).toBe(1);
        expect(sample(text, 'latchkey_mail_queue_oldest_age_seconds')).toBe(90);
      } finally {
        t.smtp.setDown(false);
      }
    });
  });
});

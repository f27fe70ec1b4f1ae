import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { HealthUnavailableSchema, routes } from '@latchkey/contracts';
import { buildTestApp, onPostgres, useTestApp } from '../helper.js';

describe('GET /api/v1/health as readiness', () => {
  const t = useTestApp();

  /** 200, its body checked against HealthSchema by the typed client. */
  const ready = () => t.api()(routes.health, {});
  /** The raw answer, for the 503s: their body and Retry-After are what the tests read. */
  const health = () => t.send(routes.health);

  it('answers 200 with every check passing', async () => {
    const res = await ready();
    expect(res.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['mail_queue', true],
      ['event_loop', true],
    ]);
  });

  // On PostgreSQL, test/multinode stops and starts the database itself.
  it.skipIf(onPostgres())('answers 503 naming the database when it refuses writes, and 200 again once it takes them', async () => {
    // SQLite itself refuses every write on this connection (SQLITE_READONLY), as on a read-only filesystem.
    t.app.db!.pragma('query_only = ON');
    // The probe runs at most once a second; let the last one age out.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await health();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    const body = res.json();
    expect(Value.Check(HealthUnavailableSchema, body)).toBe(true);
    expect(body.error).toEqual({ code: 'service_unavailable', message: 'Not ready: database.' });
    expect(body.checks.find((c: { name: string }) => c.name === 'database')).toMatchObject({ ok: false, detail: expect.any(String) });
    expect(res.body).not.toMatch(/SQLITE|readonly|query_only/i);

    t.app.db!.pragma('query_only = OFF');
    await new Promise((r) => setTimeout(r, 1100));
    await ready();
  });

  it('answers 503 naming the mail queue when the oldest queued mail is older than 5 minutes', async () => {
    const admin = await t.adminToken();
    const { clientId } = await t.enroll('PC-HEALTH');
    t.smtp.setDown(true);
    await t.api(admin)(routes.generateOtp, { body: { clientId, osUser: 'CORP\\alice', email: 'alice@corp.example.com' } });

    t.clock.advance(5 * 60_000);
    await ready();
    t.clock.advance(61_000);
    const res = await health();
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toBe('Not ready: mail_queue.');
    expect(res.json().checks.find((c: { name: string }) => c.name === 'mail_queue').detail).toMatch(/6 minutes/);
    // No address, code or SMTP text in an unauthenticated answer.
    expect(res.body).not.toMatch(/alice|smtp|ECONNREFUSED/i);

    t.smtp.setDown(false);
    t.clock.advance(10 * 60_000); // past the longest retry backoff
    await t.app.mail.flush();
    await ready();
  });

  it('sheds other routes with 503 while the event loop lags, says so in health, and recovers', async () => {
    const lagging = await buildTestApp({ env: { LATCHKEY_MAX_EVENT_LOOP_DELAY_MS: '100' } });
    try {
      const { clientToken } = await lagging.enroll('PC-LAG');
      // Raw while shedding: the test reads the whole 503 body.
      const policy = () => lagging.send(routes.getPolicy, { token: clientToken });
      // Block the loop the way a synchronous hot spot would: 300 ms at a time for 2.4 s, yielding between, so every
      // 1-second sample of the delay histogram is dominated by the blocks whatever Node's timer details.
      for (let i = 0; i < 8; i++) {
        const until = Date.now() + 300;
        while (Date.now() < until) {
          // busy
        }
        await new Promise((r) => setImmediate(r));
      }
      const shed = await policy();
      expect(shed.statusCode).toBe(503);
      expect(shed.json()).toEqual({
        error: { code: 'service_unavailable', message: 'The server is overloaded. Try again shortly.' },
        retryAfterSeconds: 10,
      });
      const res = await lagging.send(routes.health);
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.find((c: { name: string }) => c.name === 'event_loop')).toMatchObject({ ok: false });

      // Recovers once the delay histogram's samples are quiet again (about 2 s; longer on a loaded machine).
      let recovered = await policy();
      for (let waited = 0; recovered.statusCode === 503 && waited < 15_000; waited += 500) {
        await new Promise((r) => setTimeout(r, 500));
        recovered = await policy();
      }
      expect(recovered.statusCode).toBe(200);
      expect(recovered.json()).toMatchObject({ allowOneTimePasswords: true });
    } finally {
      await lagging.destroy();
    }
  });
});

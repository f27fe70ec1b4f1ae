import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpFromMail, startServerProcess, startSmtpSink, type ServerProcess, type SmtpSink, testNonce } from '@latchkey/test-support';

describe('the SMTP server down for a while, then back', () => {
  let smtp: SmtpSink;
  let server: ServerProcess;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startServerProcess({
      smtpUrl: smtp.url,
      env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000', LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '10000' },
    });
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
  });

  it('fails no request while mail is refused, and delivers every mail once the SMTP server is back', async () => {
    const admin = await server.login();
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await server.enroll(`PC-OUT${i}`));
    smtp.setDown(true);

    const statuses: number[] = [];
    const issued: { client: (typeof clients)[number]; osUser: string; email: string }[] = [];
    for (let n = 0; n < 25; n++) {
      const client = clients[n % clients.length]!;
      const osUser = `CORP\\out${n}`;
      const email = `out${n}@corp.example.com`;
      const started = Date.now();
      const gen = await server.call('POST', '/api/v1/admin/otp', { token: admin, body: { clientId: client.clientId, osUser, email } });
      statuses.push(gen.status);
      expect(Date.now() - started).toBeLessThan(1000);
      issued.push({ client, osUser, email });
      statuses.push((await server.call('GET', '/api/v1/client/policy', { token: client.clientToken })).status);
    }
    await new Promise((r) => setTimeout(r, 2500));
    expect(smtp.mails).toHaveLength(0);
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    expect(server.output.join('')).toMatch(/mail not sent, will retry/);

    smtp.setDown(false);
    for (const { client, osUser, email } of issued) {
      const otp = otpFromMail(await smtp.waitFor((m) => m.to.includes(email), 20_000));
      const verified = await server.call('POST', '/api/v1/otp/verify', {
        token: client.clientToken,
        body: { osUser, email, otp, nonce: testNonce() },
      });
      expect(verified.status).toBe(200);
    }
  }, 60_000);
});

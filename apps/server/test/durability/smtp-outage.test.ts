import { describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

describe('the SMTP server down for a while, then back', () => {
  const server = useServerProcess({
    smtp: true,
    env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000', LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '10000' },
  });

  it('fails no request while mail is refused, and delivers every mail once the SMTP server is back', async () => {
    const { smtp } = server;
    const admin = await server.login();
    const clients: EnrollResult[] = [];
    for (let i = 0; i < 5; i++) clients.push(await server.enroll(`PC-OUT${i}`));
    smtp.setDown(true);

    const issued: { client: EnrollResult; osUser: string; email: string }[] = [];
    for (let n = 0; n < 25; n++) {
      const client = clients[n % clients.length]!;
      const osUser = `CORP\\out${n}`;
      const email = `out${n}@corp.example.com`;
      const started = Date.now();
      // Each call fails the test unless it answers its success status.
      await server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, osUser, email } });
      expect(Date.now() - started).toBeLessThan(1000);
      issued.push({ client, osUser, email });
      await server.api(client.clientToken)(routes.getPolicy, {});
    }
    await new Promise((r) => setTimeout(r, 2500));
    expect(smtp.mails).toHaveLength(0);
    expect(server.output.join('')).toMatch(/mail not sent, will retry/);

    smtp.setDown(false);
    for (const { client, osUser, email } of issued) {
      const otp = otpFromMail(await smtp.waitFor((m) => m.to.includes(email), 20_000));
      await server.api(client.clientToken)(routes.verifyOtp, { body: { osUser, email, otp, nonce: testNonce() } });
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { otpFromMail, refusalOf, runPool, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

const OS_USER = 'CORP\\ann';
const EMAIL = 'ann@corp.example.com';

describe('10,000 guesses at one OTP over HTTP (default rate limits, no trusted proxy)', () => {
  const server = useServerProcess({ smtp: true });

  it('lets none succeed, answers all but the per-Client budget with 429 whatever X-Forwarded-For says, and records every failure', async () => {
    const { clientId, clientToken } = await server.enroll('PC-GUESS');
    const admin = await server.login();
    await server.api(admin)(routes.generateOtp, { body: { clientId, osUser: OS_USER, email: EMAIL } });
    const realCode = otpFromMail(await server.smtp.waitFor((m) => m.to.includes(EMAIL)));

    const counts = new Map<number, number>();
    await runPool(10_000, 32, async (i) => {
      let guess = String(i * 7919)
        .padStart(8, '0')
        .slice(-8);
      if (guess === realCode) guess = realCode === '00000000' ? '00000001' : '00000000';
      const forged = { 'x-forwarded-for': `198.51.100.${i % 254}, 203.0.113.${(i * 13) % 254}`, 'x-real-ip': `192.0.2.${i % 254}` };
      const verify = server.api(clientToken, forged)(routes.verifyOtp, {
        body: { osUser: OS_USER, email: EMAIL, otp: guess, nonce: testNonce() },
      });
      const status = (await refusalOf(verify))?.status ?? 200;
      counts.set(status, (counts.get(status) ?? 0) + 1);
    });

    expect(counts.get(200)).toBeUndefined();
    expect([...counts.keys()].sort()).toEqual([401, 429]);
    // 60 calls a minute per Client: the rotating header bought no extra budget.
    expect(counts.get(401)).toBeLessThanOrEqual(60);
    expect(counts.get(429)).toBeGreaterThanOrEqual(10_000 - 60);

    // The limit still holds for the right code from the same Client.
    await expect(
      server.api(clientToken)(routes.verifyOtp, { body: { osUser: OS_USER, email: EMAIL, otp: realCode, nonce: testNonce() } }),
    ).rejects.toMatchObject({ status: 429, code: 'rate_limited' });

    // Every failure that got through was recorded and nothing was verified.
    const events = await server.api(admin)(routes.listAudit, { query: { limit: '1000' } });
    expect(events.filter((e) => e.type === 'otp.verify_failed')).toHaveLength(counts.get(401)!);
    expect(events.some((e) => e.type === 'otp.verified')).toBe(false);
  });

  it('ignores X-Forwarded-For for the per-address limit on enrollment', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const enroll = server.api(undefined, { 'x-forwarded-for': `198.51.100.${i}` })(routes.enroll, {
        body: { enrollmentKey: 'not-the-key', computerName: 'X' },
      });
      statuses.push((await refusalOf(enroll))?.status ?? 201);
    }
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(-1);
    expect(firstLimited).toBeLessThanOrEqual(20);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
  });
});

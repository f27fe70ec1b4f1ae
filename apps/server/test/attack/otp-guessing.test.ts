import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  otpFromMail,
  runPool,
  startServerProcess,
  startSmtpSink,
  type ServerProcess,
  type SmtpSink,
  testNonce,
} from '@latchkey/test-support';

const OS_USER = 'CORP\\ann';
const EMAIL = 'ann@corp.example.com';

describe('10,000 guesses at one OTP over HTTP (default rate limits, no trusted proxy)', () => {
  let smtp: SmtpSink;
  let server: ServerProcess;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startServerProcess({ smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
  });

  it('lets none succeed, answers all but the per-Client budget with 429 whatever X-Forwarded-For says, and records every failure', async () => {
    const { clientId, clientToken } = await server.enroll('PC-GUESS');
    const admin = await server.login();
    const generated = await server.call('POST', '/api/v1/admin/otp', { token: admin, body: { clientId, osUser: OS_USER, email: EMAIL } });
    expect(generated.status).toBe(201);
    const realCode = otpFromMail(await smtp.waitFor((m) => m.to.includes(EMAIL)));

    const counts = new Map<number, number>();
    await runPool(10_000, 32, async (i) => {
      let guess = String(i * 7919)
        .padStart(8, '0')
        .slice(-8);
      if (guess === realCode) guess = realCode === '00000000' ? '00000001' : '00000000';
      const res = await server.call('POST', '/api/v1/otp/verify', {
        token: clientToken,
        body: { osUser: OS_USER, email: EMAIL, otp: guess, nonce: testNonce() },
        headers: { 'x-forwarded-for': `198.51.100.${i % 254}, 203.0.113.${(i * 13) % 254}`, 'x-real-ip': `192.0.2.${i % 254}` },
      });
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    });

    expect(counts.get(200)).toBeUndefined();
    expect([...counts.keys()].sort()).toEqual([401, 429]);
    // 60 calls a minute per Client: the rotating header bought no extra budget.
    expect(counts.get(401)).toBeLessThanOrEqual(60);
    expect(counts.get(429)).toBeGreaterThanOrEqual(10_000 - 60);

    // The limit still holds for the right code from the same Client.
    const withRealCode = await server.call('POST', '/api/v1/otp/verify', {
      token: clientToken,
      body: { osUser: OS_USER, email: EMAIL, otp: realCode, nonce: testNonce() },
    });
    expect(withRealCode.status).toBe(429);
    expect(withRealCode.json.error.code).toBe('rate_limited');

    // Every failure that got through was recorded and nothing was verified.
    const audit = await server.call('GET', '/api/v1/admin/audit?limit=1000', { token: admin });
    expect(audit.status).toBe(200);
    const events = audit.json as { type: string; requestId: string | null }[];
    expect(events.filter((e) => e.type === 'otp.verify_failed')).toHaveLength(counts.get(401)!);
    expect(events.some((e) => e.type === 'otp.verified')).toBe(false);
  });

  it('ignores X-Forwarded-For for the per-address limit on enrollment', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await server.call('POST', '/api/v1/clients/enroll', {
        body: { enrollmentKey: 'not-the-key', computerName: 'X' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(-1);
    expect(firstLimited).toBeLessThanOrEqual(20);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
  });
});

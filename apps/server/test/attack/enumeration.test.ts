import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { median, testNonce, type HttpAnswer } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/**
 * Timing is compared loosely: medians of interleaved calls on a shared machine, so only a gap far
 * larger than the noise (several times over and more than a few milliseconds) fails.
 */
function expectSimilarTiming(a: number[], b: number[]): void {
  const ma = median(a);
  const mb = median(b);
  expect(Math.abs(ma - mb), `medians ${ma.toFixed(2)} ms and ${mb.toFixed(2)} ms`).toBeLessThanOrEqual(Math.max(5, 2 * Math.min(ma, mb)));
}

/** The calls under comparison go raw (`send`): what is compared is the bytes, the Retry-After header and the time. */
const answer = (r: HttpAnswer) => ({ status: r.status, body: r.text, retryAfter: r.headers.get('retry-after') });

describe('known and unknown emails and logins are answered alike', () => {
  const server = useServerProcess({
    smtp: true,
    env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000', LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' },
  });
  let admin: string;
  let client: EnrollResult;
  beforeAll(async () => {
    admin = await server.login();
    client = await server.enroll('PC-ENUM');
  });

  it('answers a wrong code for an email with a live OTP exactly like one for an email without any', async () => {
    const osUser = 'CORP\\ann';
    await server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, osUser, email: 'ann@corp.example.com' } });
    const known: HttpAnswer[] = [];
    const unknown: HttpAnswer[] = [];
    for (let i = 0; i < 20; i++) {
      const verify = (email: string) =>
        server.send(routes.verifyOtp, {
          token: client.clientToken,
          body: { osUser, email, otp: '00000000', nonce: testNonce() },
        });
      known.push(await verify('ann@corp.example.com'));
      unknown.push(await verify('nobody@corp.example.com'));
    }
    for (let i = 0; i < known.length; i++) expect(answer(known[i]!)).toEqual(answer(unknown[i]!));
    expect(known[0]!.status).toBe(401);
    expect(known[0]!.json.error.code).toBe('access_denied');
    expectSimilarTiming(
      known.map((r) => r.ms),
      unknown.map((r) => r.ms),
    );
  });

  it('answers an access request by email alike for an address that is a user and one that is not', async () => {
    // A Client that was not issued an OTP in the last hour (the interval rule would answer 429 alike).
    const fresh = await server.enroll('PC-ENUM-2');
    const request = (osUser: string, email: string) =>
      server.send(routes.createOtpRequest, { token: fresh.clientToken, body: { osUser, method: 'email', email } });
    const staff = await request('CORP\\x1', 'admin@corp.example.com');
    const stranger = await request('CORP\\x2', 'stranger@corp.example.com');
    expect(staff.status).toBe(201);
    expect(stranger.status).toBe(201);
    expect(Object.keys(staff.json).sort()).toEqual(Object.keys(stranger.json).sort());
    expect(staff.json.status).toBe('pending');
    expect(stranger.json.status).toBe('pending');
  });

  it('answers the internal method for a known login with a wrong password like an unknown login, in status, body and time', async () => {
    await server.api(admin)(routes.putSettings, { body: { autoSendToInternalUsers: true } });
    await server.api(admin)(routes.createUser, {
      body: { login: 'ann', password: 'ann-password-123', email: 'ann@corp.example.com', role: 'user' },
    });
    const internal = (login: string) =>
      server.send(routes.createOtpRequest, {
        token: client.clientToken,
        body: { osUser: 'CORP\\ann', method: 'internal', login, password: 'wrong-password' },
      });
    const known: HttpAnswer[] = [];
    const unknown: HttpAnswer[] = [];
    for (let i = 0; i < 8; i++) {
      known.push(await internal('ann'));
      unknown.push(await internal('nobody'));
    }
    for (let i = 0; i < known.length; i++) expect(answer(known[i]!)).toEqual(answer(unknown[i]!));
    expect(known[0]!.json.error.code).toBe('invalid_credentials');
    // The failure throttle is per login name (existing or not) and Client: both lock at the same point.
    expect(known.map((r) => r.status)).toContain(429);
    expectSimilarTiming(
      known.filter((r) => r.status === 401).map((r) => r.ms),
      unknown.filter((r) => r.status === 401).map((r) => r.ms),
    );
  });

  it('answers Management Tool sign-in for a known login with a wrong password like an unknown login', async () => {
    const known: HttpAnswer[] = [];
    const unknown: HttpAnswer[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await server.send(routes.adminLogin, { body: { login: 'admin', password: 'not-the-password' } }));
      unknown.push(await server.send(routes.adminLogin, { body: { login: 'nosuchadmin', password: 'not-the-password' } }));
    }
    for (let i = 0; i < known.length; i++) expect(answer(known[i]!)).toEqual(answer(unknown[i]!));
    expect(known[0]!.status).toBe(401);
    expectSimilarTiming(
      known.map((r) => r.ms),
      unknown.map((r) => r.ms),
    );
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, bearer, buildTestApp, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

const A = '198.51.100.7';
const B = '203.0.113.20';

function signIn(from: string, password: string, login = 'admin') {
  return t.app.inject({ method: 'POST', url: '/api/v1/admin/login', remoteAddress: from, payload: { login, password } });
}

describe('sign-in and enrollment cannot be blocked without credentials', () => {
  it('20 wrong-key enrollments from one address leave the admin able to sign in from it', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/clients/enroll',
        remoteAddress: A,
        payload: { enrollmentKey: `wrong-enrollment-key-${i}`, computerName: 'ROGUE' },
      });
      statuses.push(res.statusCode);
    }
    // The enrollment budget is spent …
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // … and sign-in from the same address has its own.
    const res = await signIn(A, ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
  });

  it('6 wrong passwords for admin from address A do not stop the admin from address B', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) expect((await signIn(A, 'wrong-password')).statusCode).toBe(401);
    const fromA = await signIn(A, ADMIN_PASSWORD);
    expect(fromA.statusCode).toBe(429);
    expect(fromA.json().error.code).toBe('login_locked');

    const fromB = await signIn(B, ADMIN_PASSWORD);
    expect(fromB.statusCode).toBe(200);

    // Other logins from A (a whole site behind one NAT address) are not affected either.
    const admin = fromB.json().token as string;
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    expect((await signIn(A, 'helen-password-1', 'helen')).statusCode).toBe(200);
  });

  it('one wrong try every 15 minutes from A keeps A locked but never keeps the admin out from B', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) await signIn(A, 'wrong-password');
    for (let round = 0; round < 4; round++) {
      t.clock.advance(15 * 60_000);
      expect((await signIn(A, 'wrong-password')).statusCode).toBe(401);
      expect((await signIn(A, ADMIN_PASSWORD)).statusCode).toBe(429);
      expect((await signIn(B, ADMIN_PASSWORD)).statusCode).toBe(200);
    }
  });

  it('keeps counting failures per address across a restart', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) await signIn(A, 'wrong-password');
    t = await t.restart();
    expect((await signIn(A, ADMIN_PASSWORD)).statusCode).toBe(429);
    expect((await signIn(B, ADMIN_PASSWORD)).statusCode).toBe(200);
  });

  it("a rogue Client's wrong internal-method passwords never lock Management Tool sign-in", async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true });
    const rogue = await t.enroll('ROGUE');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/otp/requests',
        remoteAddress: A,
        headers: bearer(rogue.clientToken),
        payload: { osUser: 'CORP\\admin', method: 'internal', login: 'admin', password: `guess-${i}` },
      });
      statuses.push(res.statusCode);
    }
    // The rogue Client is throttled on its own count …
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // … which the console sign-in, from the same address or another, never sees.
    expect((await signIn(A, ADMIN_PASSWORD)).statusCode).toBe(200);
    expect((await signIn(B, ADMIN_PASSWORD)).statusCode).toBe(200);

    // And the other way round: console failures do not lock the internal method of an honest Client.
    for (let i = 0; i < 6; i++) await signIn(A, 'wrong-password');
    const honest = await t.enroll('PC-HONEST');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/requests',
      remoteAddress: A,
      headers: bearer(honest.clientToken),
      payload: { osUser: 'admin', method: 'internal', login: 'admin', password: ADMIN_PASSWORD },
    });
    expect(res.statusCode).toBe(201);
  });
});

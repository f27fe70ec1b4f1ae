import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { injectApi, refusalOf } from '@latchkey/test-support';
import { ADMIN_PASSWORD, buildTestApp, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

const A = '198.51.100.7';
const B = '203.0.113.20';

/** The typed call from another address than the test app's own. */
const from = (remoteAddress: string, token?: string) => injectApi(t.app, token, { remoteAddress });

function signIn(address: string, password: string, login = 'admin') {
  return from(address)(routes.adminLogin, { body: { login, password } });
}
const wrong = { status: 401 };
const locked = { status: 429, code: 'login_locked' };

describe('sign-in and enrollment cannot be blocked without credentials', () => {
  it('20 wrong-key enrollments from one address leave the admin able to sign in from it', async () => {
    t = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 25; i++) {
      const enroll = from(A)(routes.enroll, { body: { enrollmentKey: `wrong-enrollment-key-${i}`, computerName: 'ROGUE' } });
      statuses.push((await refusalOf(enroll))?.status);
    }
    // The enrollment budget is spent …
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // … and sign-in from the same address has its own.
    await signIn(A, ADMIN_PASSWORD);
  });

  it('6 wrong passwords for admin from address A do not stop the admin from address B', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) await expect(signIn(A, 'wrong-password')).rejects.toMatchObject(wrong);
    await expect(signIn(A, ADMIN_PASSWORD)).rejects.toMatchObject(locked);

    const { token: admin } = await signIn(B, ADMIN_PASSWORD);

    // Other logins from A (a whole site behind one NAT address) are not affected either.
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    await signIn(A, 'helen-password-1', 'helen');
  });

  it('one wrong try every 15 minutes from A keeps A locked but never keeps the admin out from B', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) await refusalOf(signIn(A, 'wrong-password'));
    for (let round = 0; round < 4; round++) {
      t.clock.advance(15 * 60_000);
      await expect(signIn(A, 'wrong-password')).rejects.toMatchObject(wrong);
      await expect(signIn(A, ADMIN_PASSWORD)).rejects.toMatchObject({ status: 429 });
      await signIn(B, ADMIN_PASSWORD);
    }
  });

  it('keeps counting failures per address across a restart', async () => {
    t = await buildTestApp();
    for (let i = 0; i < 6; i++) await refusalOf(signIn(A, 'wrong-password'));
    t = await t.restart();
    await expect(signIn(A, ADMIN_PASSWORD)).rejects.toMatchObject({ status: 429 });
    await signIn(B, ADMIN_PASSWORD);
  });

  it("a rogue Client's wrong internal-method passwords never lock Management Tool sign-in", async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true });
    const rogue = await t.enroll('ROGUE');
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 12; i++) {
      const guess = from(A, rogue.clientToken)(routes.createOtpRequest, {
        body: { osUser: 'CORP\\admin', method: 'internal', login: 'admin', password: `guess-${i}` },
      });
      statuses.push((await refusalOf(guess))?.status);
    }
    // The rogue Client is throttled on its own count …
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // … which the console sign-in, from the same address or another, never sees.
    await signIn(A, ADMIN_PASSWORD);
    await signIn(B, ADMIN_PASSWORD);

    // And the other way round: console failures do not lock the internal method of an honest Client.
    for (let i = 0; i < 6; i++) await refusalOf(signIn(A, 'wrong-password'));
    const honest = await t.enroll('PC-HONEST');
    await from(A, honest.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'admin', method: 'internal', login: 'admin', password: ADMIN_PASSWORD },
    });
  });
});

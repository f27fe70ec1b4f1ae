import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';

/**
 * Asking again when the session comes back (issue 9): a re-locked session gets one new OTP that the
 * one-new-OTP-per-interval rule does not refuse, and only its own Client, for its own open session.
 */
let t: TestApp;
let admin: string;
beforeEach(async () => {
  t = await buildTestApp();
  admin = await t.adminToken();
  await t.updateSettings(admin, { autoSendToInternalUsers: true });
  await t.createUser(admin, { login: 'alice', role: 'user' });
});
afterEach(async () => {
  await t.destroy();
});

const MINUTE = 60_000;
const OS_USER = 'CORP\\alice';
const EMAIL = 'alice@corp.example.com';
const CREDENTIALS = { login: 'alice', password: 'alice-password-1' };

const post = (token: string, url: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: bearer(token), payload });

/** Requests an OTP by the internal method and returns the code from the mail it caused. */
async function requestOtp(token: string, extra: Record<string, unknown> = {}) {
  const before = t.smtp.mails.length;
  const res = await post(token, '/api/v1/otp/requests', { osUser: OS_USER, method: 'internal', ...CREDENTIALS, ...extra });
  if (res.statusCode !== 201) return { res };
  const mail = await t.smtp.waitFor((m) => t.smtp.mails.indexOf(m) >= before && m.to.includes(EMAIL));
  return { res, otp: otpFromMail(mail) };
}

async function unlock(token: string, extra: Record<string, unknown> = {}) {
  const { res, otp } = await requestOtp(token, extra);
  expect(res.statusCode).toBe(201);
  const verified = await post(token, '/api/v1/otp/verify', { osUser: OS_USER, email: EMAIL, otp: otp! });
  expect(verified.statusCode).toBe(200);
  return verified.json().sessionId as string;
}

const sessions = async () =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(admin) })).json() as {
    sessionId: string;
    endedAt: number | null;
  }[];

describe('a re-locked session and the interval', () => {
  it('gets one new OTP within the interval, which unlocks it again and ends the re-locked session', async () => {
    const { clientToken } = await t.enroll('PC-0001');
    const first = await unlock(clientToken);

    t.clock.advance(5 * MINUTE); // Windows unlock five minutes later: the Client locks again
    const plain = await requestOtp(clientToken);
    expect(plain.res.statusCode).toBe(429);
    expect(plain.res.json().error.code).toBe('otp_interval');

    const second = await unlock(clientToken, { relockOf: first });
    expect(second).not.toBe(first);
    const listed = await sessions();
    expect(listed.find((s) => s.sessionId === first)?.endedAt).toBe(t.clock.now());
    expect(listed.find((s) => s.sessionId === second)?.endedAt).toBeNull();

    // The new session has its own allowance: the next re-lock is not stranded either.
    t.clock.advance(2 * MINUTE);
    const third = await unlock(clientToken, { relockOf: second });
    expect(third).not.toBe(second);

    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?type=otp.relock_allowance', headers: bearer(admin) });
    expect(audit.json()).toHaveLength(2);
  });

  it('uses the allowance once: a second request for the same re-lock waits for the interval like any other', async () => {
    const { clientToken } = await t.enroll('PC-0001');
    const first = await unlock(clientToken);
    t.clock.advance(MINUTE);
    expect((await requestOtp(clientToken, { relockOf: first })).res.statusCode).toBe(201);
    t.clock.advance(MINUTE);
    const again = await requestOtp(clientToken, { relockOf: first });
    expect(again.res.statusCode).toBe(429);
    expect(again.res.json().error.code).toBe('otp_interval');

    // The allowance survives a restart as used.
    t = await t.restart();
    expect((await requestOtp(clientToken, { relockOf: first })).res.statusCode).toBe(429);
    t.clock.advance(60 * MINUTE);
    expect((await requestOtp(clientToken, { relockOf: first })).res.statusCode).toBe(201);
  });

  it("refuses the allowance of another computer's session, an ended session, another user's and an unknown id", async () => {
    const a = await t.enroll('PC-A');
    const b = await t.enroll('PC-B');
    const sessionOfA = await unlock(a.clientToken);
    await unlock(b.clientToken);
    t.clock.advance(MINUTE);

    // An attacker on PC-B who learnt PC-A's session id.
    expect((await requestOtp(b.clientToken, { relockOf: sessionOfA })).res.statusCode).toBe(429);
    // Another Windows account on PC-A naming alice's session.
    await t.createUser(admin, { login: 'mallory', role: 'user' });
    const mallory = await post(a.clientToken, '/api/v1/otp/requests', {
      osUser: 'CORP\\mallory',
      method: 'internal',
      login: 'mallory',
      password: 'mallory-password-1',
      relockOf: sessionOfA,
    });
    expect(mallory.statusCode).toBe(429);
    // A made-up id.
    expect((await requestOtp(a.clientToken, { relockOf: 'no-such-session-0001' })).res.statusCode).toBe(429);
    // Ended (signed out): nothing to re-lock.
    expect((await post(a.clientToken, `/api/v1/sessions/${sessionOfA}/end`, {})).statusCode).toBeLessThan(300);
    expect((await requestOtp(a.clientToken, { relockOf: sessionOfA })).res.statusCode).toBe(429);
  });

  it('lets an email request of a re-locked session through to the approver, and only to the same address', async () => {
    await t.updateSettings(admin, { autoSendToInternalUsers: false });
    const { clientToken } = await t.enroll('PC-0001');
    const created = await post(clientToken, '/api/v1/otp/requests', { osUser: OS_USER, method: 'email', email: EMAIL });
    await post(admin, `/api/v1/admin/access-requests/${created.json().requestId}/approve`, {});
    const mail = await t.smtp.waitFor((m) => m.to.includes(EMAIL) && m.subject.startsWith('Your one-time password'));
    const first = (await post(clientToken, '/api/v1/otp/verify', { osUser: OS_USER, email: EMAIL, otp: otpFromMail(mail) })).json()
      .sessionId as string;
    t.clock.advance(MINUTE);

    const elsewhere = await post(clientToken, '/api/v1/otp/requests', {
      osUser: OS_USER,
      method: 'email',
      email: 'attacker@evil.example.com',
      relockOf: first,
    });
    expect(elsewhere.statusCode).toBe(429);
    const same = await post(clientToken, '/api/v1/otp/requests', { osUser: OS_USER, method: 'email', email: EMAIL, relockOf: first });
    expect(same.statusCode).toBe(201);
    expect(same.json().status).toBe('pending');
  });
});

describe('the ask-again settings', () => {
  it('default to asking again with no grace, reach the policy, and are validated like the others', async () => {
    const { clientToken } = await t.enroll();
    const policy = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(clientToken) })).json();
    expect(await policy()).toMatchObject({ askAgainOnUnlock: true, unlockGraceMinutes: 0 });

    for (const bad of [{ unlockGraceMinutes: 481 }, { unlockGraceMinutes: -1 }, { unlockGraceMinutes: 1.5 }, { askAgainOnUnlock: 'no' }]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/settings', headers: bearer(admin), payload: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    await t.updateSettings(admin, { askAgainOnUnlock: false, unlockGraceMinutes: 480 });
    expect(await policy()).toMatchObject({ askAgainOnUnlock: false, unlockGraceMinutes: 480 });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { routes, type OtpRequestBody } from '@latchkey/contracts';
import { useTestApp } from '../helper.js';
import { otpFromMail, testNonce } from '@latchkey/test-support';

/**
 * Asking again when the session comes back (issue 9): a re-locked session gets one new OTP that the
 * one-new-OTP-per-interval rule does not refuse, and only its own Client, for its own open session.
 */
const t = useTestApp();
let admin: string;
beforeEach(async () => {
  admin = await t.adminToken();
  await t.updateSettings(admin, { autoSendToInternalUsers: true });
  await t.createUser(admin, { login: 'alice', role: 'user' });
});

const MINUTE = 60_000;
const OS_USER = 'CORP\\alice';
const EMAIL = 'alice@corp.example.com';
const CREDENTIALS = { login: 'alice', password: 'alice-password-1' };
const INTERVAL = { status: 429, code: 'otp_interval' };

const createRequest = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const verify = (token: string, otp: string) =>
  t.api(token)(routes.verifyOtp, { body: { osUser: OS_USER, email: EMAIL, otp, nonce: testNonce() } });

/** Requests an OTP for alice by the internal method; `relockOf` and the like come in `extra`. */
const requestOtp = (token: string, extra: Partial<OtpRequestBody> = {}) =>
  createRequest(token, { osUser: OS_USER, method: 'internal', ...CREDENTIALS, ...extra });

/** Requests an OTP by the internal method and returns the code from the mail it caused. */
async function mailedOtp(token: string, extra: Partial<OtpRequestBody> = {}) {
  const before = t.smtp.mails.length;
  await requestOtp(token, extra);
  const mail = await t.smtp.waitFor((m) => t.smtp.mails.indexOf(m) >= before && m.to.includes(EMAIL));
  return otpFromMail(mail);
}

async function unlock(token: string, extra: Partial<OtpRequestBody> = {}) {
  return (await verify(token, await mailedOtp(token, extra))).sessionId;
}

const sessions = () => t.api(admin)(routes.listSessions, {});

describe('a re-locked session and the interval', () => {
  it('gets one new OTP within the interval, which unlocks it again and ends the re-locked session', async () => {
    const { clientToken } = await t.enroll('PC-0001');
    const first = await unlock(clientToken);

    t.clock.advance(5 * MINUTE); // Windows unlock five minutes later: the Client locks again
    await expect(requestOtp(clientToken)).rejects.toMatchObject(INTERVAL);

    const second = await unlock(clientToken, { relockOf: first });
    expect(second).not.toBe(first);
    const listed = await sessions();
    expect(listed.find((s) => s.sessionId === first)?.endedAt).toBe(t.clock.now());
    expect(listed.find((s) => s.sessionId === second)?.endedAt).toBeNull();

    // The new session has its own allowance: the next re-lock is not stranded either.
    t.clock.advance(2 * MINUTE);
    const third = await unlock(clientToken, { relockOf: second });
    expect(third).not.toBe(second);

    expect(await t.api(admin)(routes.listAudit, { query: { type: 'otp.relock_allowance' } })).toHaveLength(2);
  });

  it('uses the allowance once: a second request for the same re-lock waits for the interval like any other', async () => {
    const { clientToken } = await t.enroll('PC-0001');
    const first = await unlock(clientToken);
    t.clock.advance(MINUTE);
    await mailedOtp(clientToken, { relockOf: first });
    t.clock.advance(MINUTE);
    await expect(requestOtp(clientToken, { relockOf: first })).rejects.toMatchObject(INTERVAL);

    // The allowance survives a restart as used.
    await t.restart();
    await expect(requestOtp(clientToken, { relockOf: first })).rejects.toMatchObject(INTERVAL);
    t.clock.advance(60 * MINUTE);
    await mailedOtp(clientToken, { relockOf: first });
  });

  it("refuses the allowance of another computer's session, an ended session, another user's and an unknown id", async () => {
    const a = await t.enroll('PC-A');
    const b = await t.enroll('PC-B');
    const sessionOfA = await unlock(a.clientToken);
    await unlock(b.clientToken);
    t.clock.advance(MINUTE);

    // An attacker on PC-B who learnt PC-A's session id.
    await expect(requestOtp(b.clientToken, { relockOf: sessionOfA })).rejects.toMatchObject(INTERVAL);
    // Another Windows account on PC-A naming alice's session.
    await t.createUser(admin, { login: 'mallory', role: 'user' });
    await expect(
      createRequest(a.clientToken, {
        osUser: 'CORP\\mallory',
        method: 'internal',
        login: 'mallory',
        password: 'mallory-password-1',
        relockOf: sessionOfA,
      }),
    ).rejects.toMatchObject(INTERVAL);
    // A made-up id.
    await expect(requestOtp(a.clientToken, { relockOf: 'no-such-session-0001' })).rejects.toMatchObject(INTERVAL);
    // Ended (signed out): nothing to re-lock.
    await t.api(a.clientToken)(routes.endSession, { params: { sessionId: sessionOfA } });
    await expect(requestOtp(a.clientToken, { relockOf: sessionOfA })).rejects.toMatchObject(INTERVAL);
  });

  it('lets an email request of a re-locked session through to the approver, and only to the same address', async () => {
    // With relockSendsToSessionEmail on (the default) it is mailed at once: relock-session-email.test.ts.
    await t.updateSettings(admin, { autoSendToInternalUsers: false, relockSendsToSessionEmail: false });
    const { clientToken } = await t.enroll('PC-0001');
    const created = await createRequest(clientToken, { osUser: OS_USER, method: 'email', email: EMAIL });
    await t.api(admin)(routes.approveAccessRequest, { params: { requestId: created.requestId }, body: {} });
    const mail = await t.smtp.waitFor((m) => m.to.includes(EMAIL) && m.subject.startsWith('Your one-time password'));
    const first = (await verify(clientToken, otpFromMail(mail))).sessionId;
    t.clock.advance(MINUTE);

    await expect(
      createRequest(clientToken, { osUser: OS_USER, method: 'email', email: 'attacker@evil.example.com', relockOf: first }),
    ).rejects.toMatchObject({ status: 429 });
    const same = await createRequest(clientToken, { osUser: OS_USER, method: 'email', email: EMAIL, relockOf: first });
    expect(same.status).toBe('pending');
  });
});

describe('the ask-again settings', () => {
  it('default to asking again with no grace, reach the policy, and are validated like the others', async () => {
    const { clientToken } = await t.enroll();
    const policy = () => t.api(clientToken)(routes.getPolicy, {});
    expect(await policy()).toMatchObject({ askAgainOnUnlock: true, unlockGraceMinutes: 0 });

    // Values the schema refuses, sent unchecked: the server must refuse them itself.
    for (const bad of [{ unlockGraceMinutes: 481 }, { unlockGraceMinutes: -1 }, { unlockGraceMinutes: 1.5 }, { askAgainOnUnlock: 'no' }]) {
      const res = await t.send(routes.putSettings, { token: admin, body: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    await t.updateSettings(admin, { askAgainOnUnlock: false, unlockGraceMinutes: 480 });
    expect(await policy()).toMatchObject({ askAgainOnUnlock: false, unlockGraceMinutes: 480 });
  });
});

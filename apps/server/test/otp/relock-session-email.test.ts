import { beforeEach, describe, expect, it } from 'vitest';
import { routes, type OtpRequestBody } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { useTestApp } from '../helper.js';

/**
 * relockSendsToSessionEmail (issue 21): in email mode a re-locked session's new OTP goes at once to
 * the email that session was unlocked with, without approval, once per re-lock; the answer says
 * where it went. Another email, a second request for the same re-lock, or the setting off: approval.
 */
const t = useTestApp();
let admin: string;
beforeEach(async () => {
  admin = await t.adminToken();
});

const MINUTE = 60_000;
const OS_USER = 'CORP\\jo';
const EMAIL = 'jo@corp.example.com';
const STAFF = 'admin@corp.example.com';

const create = (token: string, body: Partial<OtpRequestBody> = {}) =>
  t.api(token)(routes.createOtpRequest, { body: { osUser: OS_USER, method: 'email', email: EMAIL, ...body } });
const mailsTo = (to: string) => t.smtp.mails.filter((m) => m.to.includes(to));

/** Email mode: request, approval, the code from the mail, verify. The session id. */
async function unlockedSession(clientToken: string): Promise<string> {
  const { requestId } = await create(clientToken);
  await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
  const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes(EMAIL)));
  const { sessionId } = await t.api(clientToken)(routes.verifyOtp, { body: { osUser: OS_USER, email: EMAIL, otp, nonce: testNonce() } });
  return sessionId;
}

describe("a re-locked session's new OTP", () => {
  it('is mailed at once to the session email, without approval or staff notice; the answer names the email', async () => {
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    const staffBefore = mailsTo(STAFF).length;
    const mailsBefore = mailsTo(EMAIL).length;
    t.clock.advance(5 * MINUTE);

    const state = await create(clientToken, { relockOf: session, locale: 'de' });
    expect(state).toMatchObject({ status: 'sent', email: EMAIL });
    const mail = await t.smtp.waitFor((m) => mailsTo(EMAIL).indexOf(m) >= mailsBefore);
    expect(mail.subject).toBe('Ihr Einmalpasswort für PC-RELOCK');
    const { sessionId } = await t.api(clientToken)(routes.verifyOtp, {
      body: { osUser: OS_USER, email: EMAIL, otp: otpFromMail(mail), nonce: testNonce() },
    });
    expect(sessionId).not.toBe(session);
    expect(mailsTo(STAFF)).toHaveLength(staffBefore);

    const [issued] = await t.api(admin)(routes.listAudit, { query: { type: 'otp.issued' } });
    expect(issued!.detail).toContain(`re-lock of session ${session}: mailed at once to the email it was unlocked with`);
    // Not listed as waiting for anyone.
    expect(await t.api(admin)(routes.listAccessRequests, { query: { status: 'pending' } })).toHaveLength(0);
  });

  it('once per re-lock: asking again for the same re-lock is not mailed at once', async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    expect(await create(clientToken, { relockOf: session })).toMatchObject({ status: 'sent' });
    expect(await create(clientToken, { relockOf: session })).toMatchObject({ status: 'pending', email: EMAIL });
  });

  it('to a different email still needs approval', async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    expect(await create(clientToken, { relockOf: session, email: 'someone.else@corp.example.com' })).toMatchObject({
      status: 'pending',
      email: 'someone.else@corp.example.com',
    });
  });

  it('with relockSendsToSessionEmail off, waits for approval as before', async () => {
    await t.updateSettings(admin, { relockSendsToSessionEmail: false });
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    t.clock.advance(5 * MINUTE);
    expect(await create(clientToken, { relockOf: session })).toMatchObject({ status: 'pending', email: EMAIL });
  });

  it("another Client cannot name this Client's session to get a code mailed without approval", async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    const other = await t.enroll('PC-OTHER');
    expect(await create(other.clientToken, { relockOf: session })).toMatchObject({ status: 'pending' });
  });

  it('an emergency request is never mailed without a person, re-lock or not', async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await t.enroll('PC-RELOCK');
    const session = await unlockedSession(clientToken);
    expect(await create(clientToken, { relockOf: session, method: 'emergency' })).toMatchObject({ status: 'pending' });
  });
});

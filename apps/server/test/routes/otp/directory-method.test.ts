import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type OtpRequestBody } from '@latchkey/contracts';
import { buildTestApp, type TestApp } from '../../helper.js';
import { otpFromMail, startSlapd, type Slapd, testNonce, slapdEnv } from '@latchkey/test-support';

let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({
    users: [
      { uid: 'alice', mail: 'alice@latchkey.test' },
      { uid: 'nomail' },
      { uid: 'twin1', mail: 'twin1@latchkey.test', extra: { employeeType: ['twin'] } },
      { uid: 'twin2', mail: 'twin2@latchkey.test', extra: { employeeType: ['twin'] } },
    ],
  });
  t = await buildTestApp({
    env: {
      ...slapdEnv(slapd),
      LATCHKEY_LDAP_USER_FILTER: '(|(uid={user})(&(employeeType={user})(objectClass=inetOrgPerson)))',
      LATCHKEY_LDAP_TIMEOUT_MS: '2000',
    },
  });
  const admin = await t.adminToken();
  await t.updateSettings(admin, { autoSendToDirectoryUsers: true, otpRequestIntervalMinutes: 0 });
});
afterAll(async () => {
  await t?.destroy();
  await slapd?.stop();
});

const createRequest = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const request = (token: string, osUser: string) => createRequest(token, { osUser, method: 'directory' });

describe('the directory method', () => {
  it('finds osUser in the directory and mails the OTP to its mail attribute; the answer carries the email', async () => {
    const { clientToken } = await t.enroll('AD-PC-1');
    expect(await request(clientToken, 'LATCHKEY\\alice')).toMatchObject({ status: 'sent', email: 'alice@latchkey.test' });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('alice@latchkey.test')));
    const verified = await t.api(clientToken)(routes.verifyOtp, {
      body: { osUser: 'LATCHKEY\\alice', email: 'alice@latchkey.test', otp, nonce: testNonce() },
    });
    expect(verified.allowed).toBe(true);
  });

  it.each([
    ['an unknown user', 'ghost', 404, 'directory_user_not_found'],
    ['a user without mail', 'nomail', 422, 'directory_user_no_mail'],
    ['a name matching two entries', 'twin', 409, 'directory_user_ambiguous'],
    ['an injection string', '*)(uid=*', 404, 'directory_user_not_found'],
  ])('refuses %s and sends nothing', async (_why, osUser, status, code) => {
    const { clientToken } = await t.enroll();
    const before = t.smtp.mails.length;
    await expect(request(clientToken, osUser)).rejects.toMatchObject({ status, code });
    await new Promise((r) => setTimeout(r, 200));
    expect(t.smtp.mails.length).toBe(before);
  });

  it('audits every lookup and its outcome without passwords', async () => {
    const admin = await t.adminToken();
    const events = await t.api(admin)(routes.listAudit, { query: { type: 'directory.lookup', limit: '50' } });
    const details = events.map((e) => e.detail).join('\n');
    expect(details).toContain(`found ${slapd.dnOf('alice')}`);
    expect(details).toMatch(/not found/);
    expect(details).toMatch(/no mail/);
    expect(details).toMatch(/ambiguous: 2 entries matched/);
    expect(details).not.toContain(slapd.bindPassword);
  });

  it("lists the directory's mail among the knownEmails of an access request, and flags another address", async () => {
    const { clientToken } = await t.enroll('AD-PC-CONTEXT');
    // Another domain's spelling: no earlier session of this osUser, so only the directory knows the mail.
    const asked = await createRequest(clientToken, { osUser: 'BRANCH\\alice', method: 'emergency', email: 'alice.private@example.net' });
    const admin = await t.adminToken();
    const list = await t.api(admin)(routes.listAccessRequests, { query: { status: 'pending' } });
    const request = list.find((r) => r.requestId === asked.requestId);
    expect(request).toMatchObject({ knownEmails: ['alice@latchkey.test'], flags: ['new_email'] });
  });

  it('answers 503 directory_unavailable when the directory is down, and emergency still works', async () => {
    const { clientToken } = await t.enroll('AD-PC-DOWN');
    await slapd.stop();
    await expect(request(clientToken, 'alice')).rejects.toMatchObject({
      status: 503,
      code: 'directory_unavailable',
      message: expect.stringMatching(/emergency access/),
    });
    const emergency = await createRequest(clientToken, {
      osUser: 'alice',
      method: 'emergency',
      email: 'alice@latchkey.test',
      reason: 'directory down',
    });
    expect(emergency.status).toBe('pending');
  });
});

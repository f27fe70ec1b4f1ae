import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../../helper.js';
import { otpFromMail, startSlapd, type Slapd } from '@latchkey/test-support';

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
      LATCHKEY_LDAP_URL: slapd.url,
      LATCHKEY_LDAP_BIND_DN: slapd.bindDn,
      LATCHKEY_LDAP_BIND_PASSWORD: slapd.bindPassword,
      LATCHKEY_LDAP_BASE_DN: slapd.baseDn,
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

const request = (token: string, osUser: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/otp/requests', headers: bearer(token), payload: { osUser, method: 'directory' } });

describe('the directory method', () => {
  it('finds osUser in the directory and mails the OTP to its mail attribute; the answer carries the email', async () => {
    const { clientToken } = await t.enroll('AD-PC-1');
    const res = await request(clientToken, 'LATCHKEY\\alice');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'sent', email: 'alice@latchkey.test' });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('alice@latchkey.test')));
    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/verify',
      headers: bearer(clientToken),
      payload: { osUser: 'LATCHKEY\\alice', email: 'alice@latchkey.test', otp },
    });
    expect(verified.statusCode).toBe(200);
  });

  it.each([
    ['an unknown user', 'ghost', 404, 'directory_user_not_found'],
    ['a user without mail', 'nomail', 422, 'directory_user_no_mail'],
    ['a name matching two entries', 'twin', 409, 'directory_user_ambiguous'],
    ['an injection string', '*)(uid=*', 404, 'directory_user_not_found'],
  ])('refuses %s and sends nothing', async (_why, osUser, status, code) => {
    const { clientToken } = await t.enroll();
    const before = t.smtp.mails.length;
    const res = await request(clientToken, osUser);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.smtp.mails.length).toBe(before);
  });

  it('audits every lookup and its outcome without passwords', async () => {
    const admin = await t.adminToken();
    const events = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?type=directory.lookup&limit=50', headers: bearer(admin) })
    ).json();
    const details = events.map((e: { detail: string }) => e.detail).join('\n');
    expect(details).toContain(`found ${slapd.dnOf('alice')}`);
    expect(details).toMatch(/not found/);
    expect(details).toMatch(/no mail/);
    expect(details).toMatch(/ambiguous: 2 entries matched/);
    expect(details).not.toContain(slapd.bindPassword);
  });

  it("lists the directory's mail among the knownEmails of an access request, and flags another address", async () => {
    const { clientToken } = await t.enroll('AD-PC-CONTEXT');
    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/requests',
      headers: bearer(clientToken),
      // Another domain's spelling: no earlier session of this osUser, so only the directory knows the mail.
      payload: { osUser: 'BRANCH\\alice', method: 'emergency', email: 'alice.private@example.net' },
    });
    expect(asked.statusCode).toBe(201);
    const admin = await t.adminToken();
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests?status=pending', headers: bearer(admin) });
    const request = (list.json() as { requestId: string; knownEmails: string[]; flags: string[] }[]).find(
      (r) => r.requestId === asked.json().requestId,
    );
    expect(request).toMatchObject({ knownEmails: ['alice@latchkey.test'], flags: ['new_email'] });
  });

  it('answers 503 directory_unavailable when the directory is down, and emergency still works', async () => {
    const { clientToken } = await t.enroll('AD-PC-DOWN');
    await slapd.stop();
    const res = await request(clientToken, 'alice');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('directory_unavailable');
    expect(res.json().error.message).toMatch(/emergency access/);
    const emergency = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/requests',
      headers: bearer(clientToken),
      payload: { osUser: 'alice', method: 'emergency', email: 'alice@latchkey.test', reason: 'directory down' },
    });
    expect(emergency.statusCode).toBe(201);
    expect(emergency.json().status).toBe('pending');
  });
});

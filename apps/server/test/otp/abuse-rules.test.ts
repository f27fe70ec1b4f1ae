import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helper.js';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { ACCESS_REQUESTS_TOTAL_HEADER, routes, type OtpRequestBody, type RequestStatus, type VerifyBody } from '@latchkey/contracts';

const t = useTestApp();

const requestOtp = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const verify = (token: string, body: Omit<VerifyBody, 'nonce'>) =>
  t.api(token)(routes.verifyOtp, { body: { ...body, nonce: testNonce() } });
const approve = (token: string, requestId: string) => t.api(token)(routes.approveAccessRequest, { params: { requestId }, body: {} });
const requestStatus = (token: string, requestId: string) => t.api(token)(routes.getOtpRequest, { params: { requestId } });
const generate = (admin: string, body: { clientId: string; osUser: string; email: string }) => t.api(admin)(routes.generateOtp, { body });
const auditOf = (admin: string, type: string) => t.api(admin)(routes.listAudit, { query: { type } });
const accessRequests = (admin: string, query: { status?: RequestStatus; limit?: string } = {}) =>
  t.api(admin)(routes.listAccessRequests, { query });

describe('internal users are tied to Windows accounts', () => {
  async function withInternalMethod(windowsAccounts?: string[]) {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 });
    await t.createUser(admin, { login: 'bob', role: 'user', ...(windowsAccounts ? { windowsAccounts } : {}) });
    const { clientToken } = await t.enroll('PC-CEO');
    const ask = (osUser: string) => requestOtp(clientToken, { osUser, method: 'internal', login: 'bob', password: 'bob-password-1' });
    return { admin, ask };
  }

  it('refuses an osUser that is not the user’s own with 403 account_not_linked, sends nothing and audits it', async () => {
    const { admin, ask } = await withInternalMethod();
    await expect(ask('CORP\\ceo')).rejects.toMatchObject({ status: 403, code: 'account_not_linked' });
    const refused = await auditOf(admin, 'otp.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ osUser: 'CORP\\ceo' });
    expect(refused[0]!.detail).toContain('account_not_linked');
    expect(await auditOf(admin, 'otp.issued')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.mails.filter((m) => m.to.includes('bob@corp.example.com'))).toHaveLength(0);
  });

  it('issues for the user’s own login in any domain, case-insensitive', async () => {
    const { ask } = await withInternalMethod();
    for (const osUser of ['CORP\\bob', 'BOB', 'Bob@corp.example.com']) expect(await ask(osUser), osUser).toMatchObject({ status: 'sent' });
  });

  it('issues for listed accounts: DOMAIN\\name exactly, name in any domain, both case-insensitive', async () => {
    const { ask } = await withInternalMethod(['CORP\\Robert.Admin', 'kiosk']);
    const notLinked = { status: 403, code: 'account_not_linked' };
    expect(await ask('corp\\robert.admin')).toMatchObject({ status: 'sent' });
    await expect(ask('OTHER\\robert.admin')).rejects.toMatchObject(notLinked);
    expect(await ask('BRANCH\\KIOSK')).toMatchObject({ status: 'sent' });
    expect(await ask('kiosk')).toMatchObject({ status: 'sent' });
    await expect(ask('CORP\\kiosk2')).rejects.toMatchObject(notLinked);
  });

  it('keeps windowsAccounts on create, PATCH and GET; creation without them still works', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'carol', role: 'user' });
    await t.createUser(admin, { login: 'dave', role: 'user', windowsAccounts: ['CORP\\dave.adm'] });
    const patched = await t.api(admin)(routes.updateUser, {
      params: { login: 'carol' },
      body: { windowsAccounts: ['CORP\\front-desk', 'kiosk'] },
    });
    expect(patched.windowsAccounts).toEqual(['CORP\\front-desk', 'kiosk']);
    const list = await t.api(admin)(routes.listUsers, {});
    expect(Object.fromEntries(list.map((u) => [u.login, u.windowsAccounts]))).toEqual({
      admin: [],
      carol: ['CORP\\front-desk', 'kiosk'],
      dave: ['CORP\\dave.adm'],
    });
    // Hostile input the typed client would not send: the server must refuse it itself.
    const bad = await t.send(routes.updateUser, { token: admin, params: { login: 'carol' }, body: { windowsAccounts: ['CORP\\x\u0000'] } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('no self-approval', () => {
  it('answers 403 self_approval when helpdesk approves a request for their own email; another approver may', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const helen = await t.adminToken('helen', 'helpdesk-password');
    const { clientToken } = await t.enroll('PC-HELEN');
    const { requestId } = await requestOtp(clientToken, { osUser: 'CORP\\helen', method: 'emergency', email: 'HELEN@corp.example.com' });
    await expect(approve(helen, requestId)).rejects.toMatchObject({ status: 403, code: 'self_approval' });
    expect(await auditOf(admin, 'access_request.self_approval_refused')).toHaveLength(1);
    expect(await approve(admin, requestId)).toMatchObject({ requestId, status: 'sent' });
  });
});

describe('burnt stays burnt', () => {
  it('records burning when it happens: raising maxVerifyAttempts does not revive the OTP, and the Client sees burnt', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { maxVerifyAttempts: 3 });
    const { clientId, clientToken } = await t.enroll('PC-BURN');
    const osUser = 'CORP\\ann';
    const email = 'ann@corp.example.com';
    const { requestId } = await generate(admin, { clientId, osUser, email });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes(email)));
    const tryCode = (code: string) => verify(clientToken, { osUser, email, otp: code });
    const wrong = otp === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 3; i++) await expect(tryCode(wrong)).rejects.toMatchObject({ status: 401 });
    expect((await requestStatus(clientToken, requestId)).status).toBe('burnt');
    expect(await auditOf(admin, 'otp.burnt')).toHaveLength(1);

    await t.updateSettings(admin, { maxVerifyAttempts: 10 });
    await expect(tryCode(otp)).rejects.toMatchObject({ status: 401 });
    expect((await requestStatus(clientToken, requestId)).status).toBe('burnt');
  });
});

describe('resend', () => {
  it('mails an OTP again at most 3 times, then answers 429 resend_limit', async () => {
    const admin = await t.adminToken();
    const { clientId, clientToken } = await t.enroll('PC-RESEND');
    const email = 'ann@corp.example.com';
    const { requestId } = await generate(admin, { clientId, osUser: 'CORP\\ann', email });
    const resend = () => t.api(clientToken)(routes.resendOtp, { params: { requestId } });
    for (let i = 0; i < 3; i++) expect(await resend()).toMatchObject({ requestId, status: 'sent' });
    await expect(resend()).rejects.toMatchObject({ status: 429, code: 'resend_limit' });
    await t.smtp.waitFor(() => t.smtp.mails.filter((m) => m.to.includes(email)).length >= 4);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(4);
  });
});

describe('request floods', () => {
  const emergency = (token: string, osUser: string, email = `${osUser.replace(/\W/g, '')}@corp.example.com`) =>
    requestOtp(token, { osUser, method: 'emergency', email, reason: 'locked out' });
  const pendingList = (admin: string) => accessRequests(admin, { status: 'pending' });

  it('supersedes the older pending request of the same Client and osUser', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-SUPER');
    const first = await emergency(clientToken, 'CORP\\ann', 'ann.old@corp.example.com');
    t.clock.advance(1000);
    expect(await emergency(clientToken, 'corp\\ANN', 'ann.new@corp.example.com')).toMatchObject({ status: 'pending' });
    expect((await requestStatus(clientToken, first.requestId)).status).toBe('superseded');
    expect((await pendingList(admin)).map((r) => r.email)).toEqual(['ann.new@corp.example.com']);
    expect(await auditOf(admin, 'access_request.superseded')).toHaveLength(1);
    await expect(approve(admin, first.requestId)).rejects.toMatchObject({ code: 'not_pending' });
  });

  it('keeps at most 5 open requests per Client (429 too_many_open_requests) and lists pending requests newest first', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-FLOOD');
    for (let i = 1; i <= 5; i++) {
      expect(await emergency(clientToken, `CORP\\junk${i}`)).toMatchObject({ status: 'pending' });
      t.clock.advance(1000);
    }
    await expect(emergency(clientToken, 'CORP\\junk6')).rejects.toMatchObject({ status: 429, code: 'too_many_open_requests' });
    // A new request for an osUser already waiting replaces it, so it is not refused.
    expect(await emergency(clientToken, 'CORP\\junk1', 'junk1.again@corp.example.com')).toMatchObject({ status: 'pending' });
    // Another computer is not affected.
    const other = await t.enroll('PC-REAL');
    expect(await emergency(other.clientToken, 'CORP\\real')).toMatchObject({ status: 'pending' });
    expect((await pendingList(admin)).map((r) => r.osUser)).toEqual([
      'CORP\\real',
      'CORP\\junk1',
      'CORP\\junk5',
      'CORP\\junk4',
      'CORP\\junk3',
      'CORP\\junk2',
    ]);
  });

  it('gives the true total of matching requests beside the page of the newest 200', async () => {
    let admin = await t.adminToken();
    // 5 open requests per Client at most: 41 Clients make 205 pending requests.
    for (let c = 0; c < 41; c++) {
      const { clientToken } = await t.enroll(`PC-MANY-${c}`);
      for (let u = 0; u < 5; u++) {
        expect(await emergency(clientToken, `CORP\\user${c}x${u}`)).toMatchObject({ status: 'pending' });
        // A millisecond apart, as requests are: "newest first" among requests of one instant is not defined.
        t.clock.advance(1);
      }
      t.clock.advance(1000);
    }
    // The total travels in a header, which the typed client does not return: read the raw answer.
    const totalOf = async (query: { status?: RequestStatus; limit?: string }) => {
      const res = await t.send(routes.listAccessRequests, { token: admin, query });
      expect(res.statusCode, JSON.stringify(query)).toBe(200);
      return { shown: (res.json() as unknown[]).length, total: Number(res.headers[ACCESS_REQUESTS_TOTAL_HEADER]) };
    };

    expect(await totalOf({ status: 'pending' })).toEqual({ shown: 200, total: 205 });
    expect((await accessRequests(admin, { status: 'pending' }))[0]!.osUser).toBe('CORP\\user40x4');
    expect(await totalOf({ status: 'pending', limit: '3' })).toEqual({ shown: 3, total: 205 });
    expect(await totalOf({})).toEqual({ shown: 200, total: 205 });

    const newest = (await accessRequests(admin, { status: 'pending', limit: '1' }))[0]!.requestId;
    expect(await t.api(admin)(routes.denyAccessRequest, { params: { requestId: newest }, body: {} })).toMatchObject({ status: 'denied' });
    expect(await totalOf({ status: 'pending' })).toEqual({ shown: 200, total: 204 });
    expect(await totalOf({ status: 'denied' })).toEqual({ shown: 1, total: 1 });
    expect(await totalOf({})).toEqual({ shown: 200, total: 205 });

    // Expiry is read, not stored: past the expiration every pending request counts as expired.
    t.clock.advance(24 * 60 * 60_000);
    admin = await t.adminToken();
    expect(await totalOf({ status: 'pending' })).toEqual({ shown: 0, total: 0 });
    expect(await totalOf({ status: 'expired', limit: '1000' })).toEqual({ shown: 204, total: 204 });
  });

  it('sends each staff member at most one notice a minute, and one reminder for the rest', async () => {
    const { clientToken } = await t.enroll('PC-NOTICE');
    const byEmail = (token: string, osUser: string) =>
      requestOtp(token, { osUser, method: 'email', email: `${osUser.replace(/\W/g, '')}@corp.example.com` });
    for (let i = 1; i <= 4; i++) expect(await byEmail(clientToken, `CORP\\user${i}`)).toMatchObject({ status: 'pending' });
    const staffMails = () => t.smtp.mails.filter((m) => m.to.includes('admin@corp.example.com'));
    await t.smtp.waitFor(() => staffMails().length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(staffMails()).toHaveLength(1);
    expect(staffMails()[0]!.text).toContain('CORP\\user1');

    t.clock.advance(60_000);
    await t.smtp.waitFor(() => staffMails().length >= 2);
    expect(staffMails()[1]!.subject).toBe('More access requests waiting for approval');
    t.clock.advance(5_000);
    expect(await byEmail(clientToken, 'CORP\\user5')).toMatchObject({ status: 'pending' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(staffMails()).toHaveLength(2);
  });

  it('sends one notice, not one per Client, when many Clients ask at the same instant', async () => {
    // On PostgreSQL each Client's request is its own READ COMMITTED transaction, holding only its Client's row lock.
    const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => t.enroll(`PC-AT-ONCE-${i}`)));
    const asked = await Promise.all(
      clients.map(({ clientToken }, i) =>
        requestOtp(clientToken, { osUser: `CORP\\burst${i}`, method: 'email', email: `burst${i}@corp.example.com` }),
      ),
    );
    expect(asked.every((state) => state.status === 'pending')).toBe(true);
    const staffMails = () => t.smtp.mails.filter((m) => m.to.includes('admin@corp.example.com'));
    await t.smtp.waitFor(() => staffMails().length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(staffMails().map((m) => m.subject)).toHaveLength(1);
    // The other seven are folded into one reminder, a minute later.
    t.clock.advance(60_000);
    await t.smtp.waitFor(() => staffMails().length >= 2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(staffMails().map((m) => m.subject)).toEqual([expect.any(String), 'More access requests waiting for approval']);
  });
});

describe('allowed email domains and approver context', () => {
  it('refuses email and emergency requests and Generate Password outside allowedEmailDomains with 400 email_domain_not_allowed', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { allowedEmailDomains: ['corp.example.com'] });
    const { clientId, clientToken } = await t.enroll('PC-DOMAINS');
    const notAllowed = { status: 400, code: 'email_domain_not_allowed' };
    for (const method of ['email', 'emergency'] as const) {
      await expect(
        requestOtp(clientToken, { osUser: 'CORP\\ann', method, email: 'ann@evil.example.net', reason: 'x' }),
        method,
      ).rejects.toMatchObject(notAllowed);
    }
    const generateFor = (email: string) => generate(admin, { clientId, osUser: 'CORP\\ann', email });
    await expect(generateFor('ann@corp.example.com.evil.net')).rejects.toMatchObject(notAllowed);
    expect(await requestOtp(clientToken, { osUser: 'CORP\\ann', method: 'emergency', email: 'Ann@CORP.example.com' })).toMatchObject({
      status: 'pending',
    });
    expect(await generateFor('ann@corp.example.com')).toMatchObject({ requestId: expect.any(String) });
  });

  it('lists knownEmails beside each request: new_email when there are some and the email is none of them, first_request when there are none', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'ann', role: 'user', email: 'ann@corp.example.com' });
    const { clientId, clientToken } = await t.enroll('PC-CONTEXT');
    // ann unlocked before with a generated OTP to her second address
    await generate(admin, { clientId, osUser: 'CORP\\ann', email: 'ann.home@corp.example.com' });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('ann.home@')));
    expect(await verify(clientToken, { osUser: 'CORP\\ann', email: 'ann.home@corp.example.com', otp })).toMatchObject({ allowed: true });

    const other = await t.enroll('PC-CONTEXT-2');
    await requestOtp(other.clientToken, { osUser: 'CORP\\ann', method: 'emergency', email: 'attacker@corp.example.com' });
    await requestOtp(other.clientToken, { osUser: 'CORP\\bob', method: 'emergency', email: 'bob@corp.example.com' });
    const third = await t.enroll('PC-CONTEXT-3');
    await requestOtp(third.clientToken, { osUser: 'corp\\ANN', method: 'emergency', email: 'ANN@corp.example.com' });
    const list = await accessRequests(admin, { status: 'pending' });
    const byEmail = Object.fromEntries(list.map((r) => [r.email, { known: r.knownEmails, flags: r.flags }]));
    expect(byEmail).toEqual({
      'attacker@corp.example.com': { known: ['ann.home@corp.example.com', 'ann@corp.example.com'], flags: ['new_email'] },
      'bob@corp.example.com': { known: [], flags: ['first_request'] },
      'ANN@corp.example.com': { known: ['ann.home@corp.example.com', 'ann@corp.example.com'], flags: [] },
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';
import { ACCESS_REQUESTS_TOTAL_HEADER } from '@latchkey/contracts';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.destroy();
});

const requestOtp = (token: string, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/otp/requests', headers: bearer(token), payload: body });

async function auditOf(admin: string, type: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?type=${type}`, headers: bearer(admin) });
  return res.json() as { detail: string | null; osUser: string | null }[];
}

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
    const res = await ask('CORP\\ceo');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('account_not_linked');
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
    for (const osUser of ['CORP\\bob', 'BOB', 'Bob@corp.example.com']) expect((await ask(osUser)).statusCode, osUser).toBe(201);
  });

  it('issues for listed accounts: DOMAIN\\name exactly, name in any domain, both case-insensitive', async () => {
    const { ask } = await withInternalMethod(['CORP\\Robert.Admin', 'kiosk']);
    expect((await ask('corp\\robert.admin')).statusCode).toBe(201);
    expect((await ask('OTHER\\robert.admin')).statusCode).toBe(403);
    expect((await ask('BRANCH\\KIOSK')).statusCode).toBe(201);
    expect((await ask('kiosk')).statusCode).toBe(201);
    expect((await ask('CORP\\kiosk2')).statusCode).toBe(403);
  });

  it('keeps windowsAccounts on create, PATCH and GET; creation without them still works', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'carol', role: 'user' });
    await t.createUser(admin, { login: 'dave', role: 'user', windowsAccounts: ['CORP\\dave.adm'] });
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/carol',
      headers: bearer(admin),
      payload: { windowsAccounts: ['CORP\\front-desk', 'kiosk'] },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().windowsAccounts).toEqual(['CORP\\front-desk', 'kiosk']);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(admin) })).json() as {
      login: string;
      windowsAccounts: string[];
    }[];
    expect(Object.fromEntries(list.map((u) => [u.login, u.windowsAccounts]))).toEqual({
      admin: [],
      carol: ['CORP\\front-desk', 'kiosk'],
      dave: ['CORP\\dave.adm'],
    });
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/carol',
      headers: bearer(admin),
      payload: { windowsAccounts: ['CORP\\x\u0000'] },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('no self-approval', () => {
  it('answers 403 self_approval when helpdesk approves a request for their own email; another approver may', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const helen = await t.adminToken('helen', 'helpdesk-password');
    const { clientToken } = await t.enroll('PC-HELEN');
    const created = await requestOtp(clientToken, { osUser: 'CORP\\helen', method: 'emergency', email: 'HELEN@corp.example.com' });
    expect(created.statusCode).toBe(201);
    const approve = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/access-requests/${created.json().requestId}/approve`,
        headers: bearer(token),
        payload: {},
      });
    const own = await approve(helen);
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe('self_approval');
    expect(await auditOf(admin, 'access_request.self_approval_refused')).toHaveLength(1);
    expect((await approve(admin)).statusCode).toBe(200);
  });
});

describe('burnt stays burnt', () => {
  it('records burning when it happens: raising maxVerifyAttempts does not revive the OTP, and the Client sees burnt', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { maxVerifyAttempts: 3 });
    const { clientId, clientToken } = await t.enroll('PC-BURN');
    const osUser = 'CORP\\ann';
    const email = 'ann@corp.example.com';
    const generated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(admin),
      payload: { clientId, osUser, email },
    });
    const { requestId } = generated.json() as { requestId: string };
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes(email)));
    const verify = (code: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/otp/verify', headers: bearer(clientToken), payload: { osUser, email, otp: code } });
    const wrong = otp === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 3; i++) expect((await verify(wrong)).statusCode).toBe(401);
    const state = () => t.app.inject({ method: 'GET', url: `/api/v1/otp/requests/${requestId}`, headers: bearer(clientToken) });
    expect((await state()).json().status).toBe('burnt');
    expect(await auditOf(admin, 'otp.burnt')).toHaveLength(1);

    await t.updateSettings(admin, { maxVerifyAttempts: 10 });
    expect((await verify(otp)).statusCode).toBe(401);
    expect((await state()).json().status).toBe('burnt');
  });
});

describe('resend', () => {
  it('mails an OTP again at most 3 times, then answers 429 resend_limit', async () => {
    const admin = await t.adminToken();
    const { clientId, clientToken } = await t.enroll('PC-RESEND');
    const email = 'ann@corp.example.com';
    const generated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(admin),
      payload: { clientId, osUser: 'CORP\\ann', email },
    });
    const resend = () =>
      t.app.inject({ method: 'POST', url: `/api/v1/otp/requests/${generated.json().requestId}/resend`, headers: bearer(clientToken) });
    for (let i = 0; i < 3; i++) expect((await resend()).statusCode).toBe(202);
    const refused = await resend();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('resend_limit');
    await t.smtp.waitFor(() => t.smtp.mails.filter((m) => m.to.includes(email)).length >= 4);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(4);
  });
});

describe('request floods', () => {
  const emergency = (token: string, osUser: string, email = `${osUser.replace(/\W/g, '')}@corp.example.com`) =>
    requestOtp(token, { osUser, method: 'emergency', email, reason: 'locked out' });
  const pendingList = async (admin: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests?status=pending', headers: bearer(admin) })).json() as {
      requestId: string;
      osUser: string;
      email: string;
    }[];

  it('supersedes the older pending request of the same Client and osUser', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-SUPER');
    const first = await emergency(clientToken, 'CORP\\ann', 'ann.old@corp.example.com');
    t.clock.advance(1000);
    const second = await emergency(clientToken, 'corp\\ANN', 'ann.new@corp.example.com');
    expect(second.statusCode).toBe(201);
    const state = await t.app.inject({
      method: 'GET',
      url: `/api/v1/otp/requests/${first.json().requestId}`,
      headers: bearer(clientToken),
    });
    expect(state.json().status).toBe('superseded');
    expect((await pendingList(admin)).map((r) => r.email)).toEqual(['ann.new@corp.example.com']);
    expect(await auditOf(admin, 'access_request.superseded')).toHaveLength(1);
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${first.json().requestId}/approve`,
      headers: bearer(admin),
      payload: {},
    });
    expect(approve.json().error.code).toBe('not_pending');
  });

  it('keeps at most 5 open requests per Client (429 too_many_open_requests) and lists pending requests newest first', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-FLOOD');
    for (let i = 1; i <= 5; i++) {
      expect((await emergency(clientToken, `CORP\\junk${i}`)).statusCode).toBe(201);
      t.clock.advance(1000);
    }
    const sixth = await emergency(clientToken, 'CORP\\junk6');
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('too_many_open_requests');
    // A new request for an osUser already waiting replaces it, so it is not refused.
    expect((await emergency(clientToken, 'CORP\\junk1', 'junk1.again@corp.example.com')).statusCode).toBe(201);
    // Another computer is not affected.
    const other = await t.enroll('PC-REAL');
    expect((await emergency(other.clientToken, 'CORP\\real')).statusCode).toBe(201);
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
      for (let u = 0; u < 5; u++) expect((await emergency(clientToken, `CORP\\user${c}x${u}`)).statusCode).toBe(201);
      t.clock.advance(1000);
    }
    const list = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/admin/access-requests?${query}`, headers: bearer(admin) });
    const totalOf = async (query: string) => {
      const res = await list(query);
      expect(res.statusCode, query).toBe(200);
      return { shown: (res.json() as unknown[]).length, total: Number(res.headers[ACCESS_REQUESTS_TOTAL_HEADER]) };
    };

    expect(await totalOf('status=pending')).toEqual({ shown: 200, total: 205 });
    expect((await list('status=pending')).json()[0].osUser).toBe('CORP\\user40x4');
    expect(await totalOf('status=pending&limit=3')).toEqual({ shown: 3, total: 205 });
    expect(await totalOf('')).toEqual({ shown: 200, total: 205 });

    const newest = (await list('status=pending&limit=1')).json()[0].requestId as string;
    const deny = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${newest}/deny`,
      headers: bearer(admin),
      payload: {},
    });
    expect(deny.statusCode).toBe(200);
    expect(await totalOf('status=pending')).toEqual({ shown: 200, total: 204 });
    expect(await totalOf('status=denied')).toEqual({ shown: 1, total: 1 });
    expect(await totalOf('')).toEqual({ shown: 200, total: 205 });

    // Expiry is read, not stored: past the expiration every pending request counts as expired.
    t.clock.advance(24 * 60 * 60_000);
    admin = await t.adminToken();
    expect(await totalOf('status=pending')).toEqual({ shown: 0, total: 0 });
    expect(await totalOf('status=expired&limit=1000')).toEqual({ shown: 204, total: 204 });
  });

  it('sends each staff member at most one notice a minute, and one reminder for the rest', async () => {
    const { clientToken } = await t.enroll('PC-NOTICE');
    for (let i = 1; i <= 4; i++) expect((await emergency(clientToken, `CORP\\user${i}`)).statusCode).toBe(201);
    const staffMails = () => t.smtp.mails.filter((m) => m.to.includes('admin@corp.example.com'));
    await t.smtp.waitFor(() => staffMails().length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(staffMails()).toHaveLength(1);
    expect(staffMails()[0]!.text).toContain('CORP\\user1');

    t.clock.advance(60_000);
    await t.smtp.waitFor(() => staffMails().length >= 2);
    expect(staffMails()[1]!.subject).toBe('More access requests waiting for approval');
    t.clock.advance(5_000);
    expect((await emergency(clientToken, 'CORP\\user5')).statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 1500));
    expect(staffMails()).toHaveLength(2);
  });
});

describe('allowed email domains and approver context', () => {
  it('refuses email and emergency requests and Generate Password outside allowedEmailDomains with 400 email_domain_not_allowed', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { allowedEmailDomains: ['corp.example.com'] });
    const { clientId, clientToken } = await t.enroll('PC-DOMAINS');
    for (const method of ['email', 'emergency']) {
      const outside = await requestOtp(clientToken, { osUser: 'CORP\\ann', method, email: 'ann@evil.example.net', reason: 'x' });
      expect(outside.statusCode, method).toBe(400);
      expect(outside.json().error.code).toBe('email_domain_not_allowed');
    }
    const generate = (email: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/admin/otp', headers: bearer(admin), payload: { clientId, osUser: 'CORP\\ann', email } });
    const generatedOutside = await generate('ann@corp.example.com.evil.net');
    expect(generatedOutside.statusCode).toBe(400);
    expect(generatedOutside.json().error.code).toBe('email_domain_not_allowed');
    expect((await requestOtp(clientToken, { osUser: 'CORP\\ann', method: 'emergency', email: 'Ann@CORP.example.com' })).statusCode).toBe(
      201,
    );
    expect((await generate('ann@corp.example.com')).statusCode).toBe(201);
  });

  it('lists knownEmails beside each request and flags new_email when the requested email is not among them', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'ann', role: 'user', email: 'ann@corp.example.com' });
    const { clientId, clientToken } = await t.enroll('PC-CONTEXT');
    // ann unlocked before with a generated OTP to her second address
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(admin),
      payload: { clientId, osUser: 'CORP\\ann', email: 'ann.home@corp.example.com' },
    });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('ann.home@')));
    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/verify',
      headers: bearer(clientToken),
      payload: { osUser: 'CORP\\ann', email: 'ann.home@corp.example.com', otp },
    });
    expect(verified.statusCode).toBe(200);

    const other = await t.enroll('PC-CONTEXT-2');
    await requestOtp(other.clientToken, { osUser: 'CORP\\ann', method: 'emergency', email: 'attacker@corp.example.com' });
    await requestOtp(other.clientToken, { osUser: 'CORP\\bob', method: 'emergency', email: 'bob@corp.example.com' });
    const third = await t.enroll('PC-CONTEXT-3');
    await requestOtp(third.clientToken, { osUser: 'corp\\ANN', method: 'emergency', email: 'ANN@corp.example.com' });
    const list = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests?status=pending', headers: bearer(admin) })
    ).json();
    const byEmail = Object.fromEntries(
      (list as { email: string; knownEmails: string[]; flags: string[] }[]).map((r) => [r.email, { known: r.knownEmails, flags: r.flags }]),
    );
    expect(byEmail).toEqual({
      'attacker@corp.example.com': { known: ['ann.home@corp.example.com', 'ann@corp.example.com'], flags: ['new_email'] },
      'bob@corp.example.com': { known: [], flags: ['new_email'] },
      'ANN@corp.example.com': { known: ['ann.home@corp.example.com', 'ann@corp.example.com'], flags: [] },
    });
  });
});

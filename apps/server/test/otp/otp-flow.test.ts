import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.destroy();
});

const MINUTE = 60_000;

async function requestByEmail(token: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/otp/requests', headers: bearer(token), payload: body });
}

async function approvedOtp(opts: { computer?: string; osUser?: string; email?: string; method?: 'email' | 'emergency' } = {}) {
  const { clientId, clientToken } = await t.enroll(opts.computer ?? 'PC-0001');
  const osUser = opts.osUser ?? 'CORP\\alice';
  const email = opts.email ?? 'alice@corp.example.com';
  const created = await requestByEmail(clientToken, { osUser, method: opts.method ?? 'email', email });
  expect(created.statusCode).toBe(201);
  const requestId = created.json().requestId as string;
  const admin = await t.adminToken();
  const approved = await t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/access-requests/${requestId}/approve`,
    headers: bearer(admin),
    payload: {},
  });
  expect(approved.statusCode).toBe(200);
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password'));
  return { clientId, clientToken, osUser, email, requestId, otp: otpFromMail(mail), admin, mail };
}

function verify(token: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/otp/verify', headers: bearer(token), payload: body });
}

describe('the email method', () => {
  it('creates a pending request and tells every helpdesk and admin user, with a link to the console', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const { clientToken } = await t.enroll('FIN-LAPTOP-7');
    const res = await requestByEmail(clientToken, {
      osUser: 'CORP\\bob',
      method: 'emergency',
      email: 'bob@corp.example.com',
      reason: 'lost phone',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'pending', email: 'bob@corp.example.com' });
    for (const staff of ['admin@corp.example.com', 'helen@corp.example.com']) {
      const mail = await t.smtp.waitFor((m) => m.to.includes(staff));
      expect(mail.text).toContain('FIN-LAPTOP-7');
      expect(mail.text).toContain('CORP\\bob');
      expect(mail.text).toContain('bob@corp.example.com');
      expect(mail.text).toContain('lost phone');
      expect(mail.text).toContain('/console/');
    }
  });

  it('mails the OTP on approval, and the OTP unlocks once, opening a session listed as "<osUser> (<email>)"', async () => {
    const { clientToken, osUser, email, otp, admin, mail } = await approvedOtp();
    expect(otp).toMatch(/^\d{8}$/);
    expect(mail.html).toContain(otp);
    expect(mail.text).toContain('PC-0001');
    expect(mail.text).toMatch(/works once/);
    expect(mail.text).toMatch(/is valid for \d+ minutes, until \d{2}:\d{2} UTC[+-]\d{2}:\d{2}/);

    const ok = await verify(clientToken, { osUser, email, otp });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().allowed).toBe(true);
    const again = await verify(clientToken, { osUser, email, otp });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toEqual({ error: { code: 'access_denied', message: 'Access denied.' } });

    const sessions = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(admin) });
    expect(sessions.json()[0]).toMatchObject({
      userName: 'CORP\\alice (alice@corp.example.com)',
      via: 'otp',
      endedAt: null,
      computerName: 'PC-0001',
    });
  });

  it('shows the request status to the Client: pending, then sent with an expiry, then used', async () => {
    const { clientToken } = await t.enroll();
    const created = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const id = created.json().requestId;
    const status = async () =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/otp/requests/${id}`, headers: bearer(clientToken) })).json();
    expect((await status()).status).toBe('pending');
    const admin = await t.adminToken();
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${id}/approve`,
      headers: bearer(admin),
      payload: { comment: 'ok by phone' },
    });
    const sent = await status();
    expect(sent.status).toBe('sent');
    expect(sent.expiresAt).toBe(t.clock.now() + 30 * MINUTE);
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('ann@')));
    await verify(clientToken, { osUser: 'ann', email: 'ann@corp.example.com', otp });
    expect((await status()).status).toBe('used');
  });

  it('does not show one Client the requests of another', async () => {
    const a = await t.enroll('A-PC');
    const b = await t.enroll('B-PC');
    const created = await requestByEmail(a.clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/otp/requests/${created.json().requestId}`,
      headers: bearer(b.clientToken),
    });
    expect(res.statusCode).toBe(404);
  });

  it('tells the requester when the request is denied, and it cannot be approved afterwards', async () => {
    const { clientToken } = await t.enroll();
    const created = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const id = created.json().requestId;
    const admin = await t.adminToken();
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${id}/deny`,
      headers: bearer(admin),
      payload: { comment: 'unknown caller' },
    });
    expect(denied.json()).toMatchObject({ status: 'denied', decidedBy: 'admin', comment: 'unknown caller' });
    const mail = await t.smtp.waitFor((m) => m.to.includes('ann@') && m.subject.startsWith('Request denied'));
    expect(mail.text).toContain('unknown caller');
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${id}/approve`,
      headers: bearer(admin),
      payload: {},
    });
    expect(approve.statusCode).toBe(409);
    expect(approve.json().error.code).toBe('not_pending');
  });

  it('lets a pending request lapse after the Access Request Expiration Time', async () => {
    const { clientToken } = await t.enroll();
    const created = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const id = created.json().requestId;
    t.clock.advance(30 * MINUTE);
    const status = await t.app.inject({ method: 'GET', url: `/api/v1/otp/requests/${id}`, headers: bearer(clientToken) });
    expect(status.json().status).toBe('expired');
    const admin = await t.adminToken();
    const pending = await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests?status=pending', headers: bearer(admin) });
    expect(pending.json()).toEqual([]);
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${id}/approve`,
      headers: bearer(admin),
      payload: {},
    });
    expect(approve.statusCode).toBe(409);
  });

  it('answers a repeated request with the one already waiting instead of notifying again', async () => {
    const { clientToken } = await t.enroll();
    const first = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const second = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    expect(second.json().requestId).toBe(first.json().requestId);
    const admin = await t.adminToken();
    const pending = await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests?status=pending', headers: bearer(admin) });
    expect(pending.json()).toHaveLength(1);
  });
});

describe('verification', () => {
  it('rejects an OTP issued for another computer', async () => {
    const { osUser, email, otp } = await approvedOtp({ computer: 'PC-A' });
    const other = await t.enroll('PC-B');
    expect((await verify(other.clientToken, { osUser, email, otp })).statusCode).toBe(401);
  });

  it('rejects an OTP presented for another osUser or another email', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    expect((await verify(clientToken, { osUser: 'CORP\\mallory', email, otp })).statusCode).toBe(401);
    expect((await verify(clientToken, { osUser, email: 'mallory@corp.example.com', otp })).statusCode).toBe(401);
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(200);
  });

  it('rejects an OTP after the Access Request Expiration Time', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    t.clock.advance(30 * MINUTE);
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(401);
  });

  it('accepts an OTP just before it expires, under a changed expiration setting', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { accessRequestExpirationMinutes: 5 });
    const { clientToken, osUser, email, otp } = await approvedOtp();
    t.clock.advance(5 * MINUTE - 1);
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(200);
  });

  it('burns an OTP after maxVerifyAttempts wrong codes', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const wrong = otp === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i++) expect((await verify(clientToken, { osUser, email, otp: wrong })).statusCode).toBe(401);
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(401);
  });

  it('lets exactly one of 20 concurrent verifications of one OTP succeed', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(clientToken, { osUser, email, otp })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(19);
  });

  it('answers every kind of failure with the same body', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const bodies = new Set<string>();
    for (const body of [
      { osUser, email, otp: otp.replace(/^./, (d) => String((Number(d) + 1) % 10)) },
      { osUser: 'nobody', email, otp },
      { osUser, email: 'nobody@corp.example.com', otp },
    ]) {
      const res = await verify(clientToken, body);
      expect(res.statusCode).toBe(401);
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
  });

  it('locks a Client and osUser pair after 100 consecutive failures, across a restart, until an admin clears it', async () => {
    const { clientId, clientToken, osUser, email, otp } = await approvedOtp();
    for (let i = 0; i < 100; i++) await verify(clientToken, { osUser, email: `x${i}@corp.example.com`, otp: '12345678' });
    t = await t.restart();
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(401);
    const admin = await t.adminToken();
    const locks = await t.app.inject({ method: 'GET', url: '/api/v1/admin/lockouts', headers: bearer(admin) });
    expect(locks.json()).toEqual([expect.objectContaining({ clientId, osUser, failures: 101 })]);
    const cleared = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/lockouts/clear',
      headers: bearer(admin),
      payload: { clientId, osUser },
    });
    expect(cleared.statusCode).toBe(204);
    expect((await verify(clientToken, { osUser, email, otp })).statusCode).toBe(200);
  });
});

describe('the one-hour rule', () => {
  it('refuses a new OTP for the same computer within the interval, with Retry-After, also after a restart', async () => {
    const { clientToken, requestId } = await approvedOtp();
    t.clock.advance(10 * MINUTE);
    const refused = await requestByEmail(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('otp_interval');
    expect(refused.json().retryAfterSeconds).toBe(50 * 60);
    expect(refused.headers['retry-after']).toBe(String(50 * 60));

    t = await t.restart();
    const again = await requestByEmail(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    expect(again.statusCode).toBe(429);
    // Emergency requests are never refused by the interval: a person decides (test/routes/otp/lock-flow.test.ts).

    const resend = await t.app.inject({ method: 'POST', url: `/api/v1/otp/requests/${requestId}/resend`, headers: bearer(clientToken) });
    expect(resend.statusCode).toBe(202);

    t.clock.advance(50 * MINUTE);
    const allowed = await requestByEmail(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    expect(allowed.statusCode).toBe(201);
  });

  it('counts per computer: another computer may get its OTP at once', async () => {
    await approvedOtp({ computer: 'PC-A' });
    const other = await t.enroll('PC-B');
    const res = await requestByEmail(other.clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    expect(res.statusCode).toBe(201);
  });

  it('follows otpRequestIntervalMinutes, and 0 turns the rule off', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await approvedOtp();
    const res = await requestByEmail(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'other@corp.example.com' });
    expect(res.statusCode).toBe(201);
  });
});

describe('resend', () => {
  it('mails the same code again while it is valid, and refuses once it expired', async () => {
    const { clientToken, requestId, otp, email } = await approvedOtp();
    const before = t.smtp.mails.length;
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/otp/requests/${requestId}/resend`, headers: bearer(clientToken) });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ requestId, status: 'sent', email });
    await t.smtp.waitFor((m) => t.smtp.mails.indexOf(m) >= before && m.to.includes(email));
    expect(otpFromMail(t.smtp.mails.at(-1)!)).toBe(otp);

    t.clock.advance(30 * MINUTE);
    const late = await t.app.inject({ method: 'POST', url: `/api/v1/otp/requests/${requestId}/resend`, headers: bearer(clientToken) });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('not_resendable');
  });

  it('refuses to resend a request that is still pending', async () => {
    const { clientToken } = await t.enroll();
    const created = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/otp/requests/${created.json().requestId}/resend`,
      headers: bearer(clientToken),
    });
    expect(res.statusCode).toBe(409);
  });
});

describe('methods and policy', () => {
  it('refuses a method the policy does not allow, and always allows emergency', async () => {
    const { clientToken } = await t.enroll();
    const directory = await requestByEmail(clientToken, { osUser: 'ann', method: 'directory' });
    expect(directory.statusCode).toBe(403);
    expect(directory.json().error.code).toBe('method_not_allowed');
    const internal = await requestByEmail(clientToken, { osUser: 'ann', method: 'internal', login: 'ann', password: 'x' });
    expect(internal.json().error.code).toBe('method_not_allowed');

    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true });
    const email = await requestByEmail(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    expect(email.json().error.code).toBe('method_not_allowed');
    const emergency = await requestByEmail(clientToken, { osUser: 'ann', method: 'emergency', email: 'ann@corp.example.com' });
    expect(emergency.statusCode).toBe(201);
  });

  it('refuses every request from a Client whose one-time passwords are turned off', async () => {
    const { clientId, clientToken } = await t.enroll();
    const admin = await t.adminToken();
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/clients/${clientId}`,
      headers: bearer(admin),
      payload: { allowOneTimePasswords: false },
    });
    const policy = await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(clientToken) });
    expect(policy.json().allowOneTimePasswords).toBe(false);
    const res = await requestByEmail(clientToken, { osUser: 'ann', method: 'emergency', email: 'ann@corp.example.com' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('otp_not_allowed');
  });

  it('serves the policy from the settings', async () => {
    const { clientToken } = await t.enroll();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToDirectoryUsers: true, otpLength: 6 });
    const policy = await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(clientToken) });
    expect(policy.json()).toMatchObject({
      allowOneTimePasswords: true,
      autoSendToDirectoryUsers: true,
      autoSendToInternalUsers: false,
      accessRequestExpirationMinutes: 30,
      otpRequestIntervalMinutes: 60,
      otpLength: 6,
    });
  });

  it("sends the OTP of the internal method to the internal user's email at once", async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true, otpLength: 10 });
    await t.createUser(admin, { login: 'carol', role: 'user' });
    const { clientToken } = await t.enroll();
    const wrong = await requestByEmail(clientToken, { osUser: 'carol', method: 'internal', login: 'carol', password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const unknown = await requestByEmail(clientToken, { osUser: 'carol', method: 'internal', login: 'nobody', password: 'nope' });
    expect(unknown.body).toBe(wrong.body);

    const res = await requestByEmail(clientToken, { osUser: 'carol', method: 'internal', login: 'carol', password: 'carol-password-1' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'sent', email: 'carol@corp.example.com' });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('carol@')));
    expect(otp).toMatch(/^\d{10}$/);
    expect((await verify(clientToken, { osUser: 'carol', email: 'carol@corp.example.com', otp })).statusCode).toBe(200);
  });
});

describe('Generate Password', () => {
  it('lets helpdesk issue an OTP without a request; the session is listed as generated', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const helpdesk = await t.adminToken('helen', 'helpdesk-password');
    const { clientId, clientToken } = await t.enroll('KIOSK-3');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(helpdesk),
      payload: { clientId, osUser: 'kiosk', email: 'dave@corp.example.com', comment: 'called from the branch' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().expiresAt).toBe(t.clock.now() + 30 * MINUTE);
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('dave@')));
    expect((await verify(clientToken, { osUser: 'kiosk', email: 'dave@corp.example.com', otp })).statusCode).toBe(200);
    const sessions = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(helpdesk) });
    expect(sessions.json()[0]).toMatchObject({ via: 'generated', userName: 'kiosk (dave@corp.example.com)' });
  });
});

describe('sessions', () => {
  it('records heartbeats and the end of a session, only from the Client that owns it', async () => {
    const { clientToken, osUser, email, otp, admin } = await approvedOtp();
    const sessionId = (await verify(clientToken, { osUser, email, otp })).json().sessionId;
    t.clock.advance(5 * MINUTE);
    const beat = await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/heartbeat`, headers: bearer(clientToken) });
    expect(beat.statusCode).toBe(204);
    const other = await t.enroll('PC-OTHER');
    const foreign = await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/end`, headers: bearer(other.clientToken) });
    expect(foreign.statusCode).toBe(404);
    t.clock.advance(MINUTE);
    const end = await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/end`, headers: bearer(clientToken) });
    expect(end.statusCode).toBe(204);
    const [session] = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(admin) })).json();
    expect(session.lastSeenAt).toBe(t.clock.now());
    expect(session.endedAt).toBe(t.clock.now());
    const late = await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/heartbeat`, headers: bearer(clientToken) });
    expect(late.statusCode).toBe(409);
  });
});

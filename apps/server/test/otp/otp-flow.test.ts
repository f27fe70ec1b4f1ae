import { describe, expect, it } from 'vitest';
import { routes, type ApiError, type OtpRequestBody, type VerifyBody } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { useTestApp } from '../helper.js';

const t = useTestApp();
const MINUTE = 60_000;

const requestOtp = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const verify = (token: string, body: Omit<VerifyBody, 'nonce'>) =>
  t.api(token)(routes.verifyOtp, { body: { ...body, nonce: testNonce() } });
const approve = (admin: string, requestId: string, comment?: string) =>
  t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: comment === undefined ? {} : { comment } });
const requestStatus = (token: string, requestId: string) => t.api(token)(routes.getOtpRequest, { params: { requestId } });
const resend = (token: string, requestId: string) => t.api(token)(routes.resendOtp, { params: { requestId } });

async function approvedOtp(opts: { computer?: string; osUser?: string; email?: string; method?: 'email' | 'emergency' } = {}) {
  const { clientId, clientToken } = await t.enroll(opts.computer ?? 'PC-0001');
  const osUser = opts.osUser ?? 'CORP\\alice';
  const email = opts.email ?? 'alice@corp.example.com';
  const { requestId } = await requestOtp(clientToken, { osUser, method: opts.method ?? 'email', email });
  const admin = await t.adminToken();
  await approve(admin, requestId);
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password'));
  return { clientId, clientToken, osUser, email, requestId, otp: otpFromMail(mail), admin, mail };
}

describe('the email method', () => {
  it('creates a pending request and tells every helpdesk and admin user, with a link to the console', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const { clientToken } = await t.enroll('FIN-LAPTOP-7');
    const created = await requestOtp(clientToken, {
      osUser: 'CORP\\bob',
      method: 'emergency',
      email: 'bob@corp.example.com',
      reason: 'lost phone',
    });
    expect(created).toMatchObject({ status: 'pending', email: 'bob@corp.example.com' });
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

    expect((await verify(clientToken, { osUser, email, otp })).allowed).toBe(true);
    await expect(verify(clientToken, { osUser, email, otp })).rejects.toMatchObject({
      status: 401,
      code: 'access_denied',
      message: 'Access denied.',
    });

    const sessions = await t.api(admin)(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({
      userName: 'CORP\\alice (alice@corp.example.com)',
      via: 'otp',
      endedAt: null,
      computerName: 'PC-0001',
    });
  });

  it('shows the request status to the Client: pending, then sent with an expiry, then used', async () => {
    const { clientToken } = await t.enroll();
    const { requestId } = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const status = () => requestStatus(clientToken, requestId);
    expect((await status()).status).toBe('pending');
    await approve(await t.adminToken(), requestId, 'ok by phone');
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
    const { requestId } = await requestOtp(a.clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    await expect(requestStatus(b.clientToken, requestId)).rejects.toMatchObject({ status: 404 });
  });

  it('tells the requester when the request is denied, and it cannot be approved afterwards', async () => {
    const { clientToken } = await t.enroll();
    const { requestId } = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const admin = await t.adminToken();
    const denied = await t.api(admin)(routes.denyAccessRequest, { params: { requestId }, body: { comment: 'unknown caller' } });
    expect(denied).toMatchObject({ status: 'denied', decidedBy: 'admin', comment: 'unknown caller' });
    const mail = await t.smtp.waitFor((m) => m.to.includes('ann@') && m.subject.startsWith('Request denied'));
    expect(mail.text).toContain('unknown caller');
    await expect(approve(admin, requestId)).rejects.toMatchObject({ status: 409, code: 'not_pending' });
  });

  it('lets a pending request lapse after the Access Request Expiration Time', async () => {
    const { clientToken } = await t.enroll();
    const { requestId } = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    t.clock.advance(30 * MINUTE);
    expect((await requestStatus(clientToken, requestId)).status).toBe('expired');
    const admin = await t.adminToken();
    expect(await t.api(admin)(routes.listAccessRequests, { query: { status: 'pending' } })).toEqual([]);
    await expect(approve(admin, requestId)).rejects.toMatchObject({ status: 409 });
  });

  it('answers a repeated request with the one already waiting instead of notifying again', async () => {
    const { clientToken } = await t.enroll();
    const first = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    const second = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    expect(second.requestId).toBe(first.requestId);
    const admin = await t.adminToken();
    expect(await t.api(admin)(routes.listAccessRequests, { query: { status: 'pending' } })).toHaveLength(1);
  });
});

describe('verification', () => {
  it('rejects an OTP issued for another computer', async () => {
    const { osUser, email, otp } = await approvedOtp({ computer: 'PC-A' });
    const other = await t.enroll('PC-B');
    await expect(verify(other.clientToken, { osUser, email, otp })).rejects.toMatchObject({ status: 401 });
  });

  it('rejects an OTP presented for another osUser or another email', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    await expect(verify(clientToken, { osUser: 'CORP\\mallory', email, otp })).rejects.toMatchObject({ status: 401 });
    await expect(verify(clientToken, { osUser, email: 'mallory@corp.example.com', otp })).rejects.toMatchObject({ status: 401 });
    expect((await verify(clientToken, { osUser, email, otp })).allowed).toBe(true);
  });

  it('rejects an OTP after the Access Request Expiration Time', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    t.clock.advance(30 * MINUTE);
    await expect(verify(clientToken, { osUser, email, otp })).rejects.toMatchObject({ status: 401 });
  });

  it('accepts an OTP just before it expires, under a changed expiration setting', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { accessRequestExpirationMinutes: 5 });
    const { clientToken, osUser, email, otp } = await approvedOtp();
    t.clock.advance(5 * MINUTE - 1);
    expect((await verify(clientToken, { osUser, email, otp })).allowed).toBe(true);
  });

  it('burns an OTP after maxVerifyAttempts wrong codes', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const wrong = otp === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i++) await expect(verify(clientToken, { osUser, email, otp: wrong })).rejects.toMatchObject({ status: 401 });
    await expect(verify(clientToken, { osUser, email, otp })).rejects.toMatchObject({ status: 401 });
  });

  it('lets exactly one of 20 concurrent verifications of one OTP succeed', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verify(clientToken, { osUser, email, otp })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && (r.reason as ApiError).status === 401)).toHaveLength(19);
  });

  it('answers every kind of failure with the same body', async () => {
    const { clientToken, osUser, email, otp } = await approvedOtp();
    const bodies = new Set<string>();
    for (const body of [
      { osUser, email, otp: otp.replace(/^./, (d) => String((Number(d) + 1) % 10)), nonce: testNonce() },
      { osUser: 'nobody', email, otp, nonce: testNonce() },
      { osUser, email: 'nobody@corp.example.com', otp, nonce: testNonce() },
    ]) {
      // The raw answer: the bytes must not differ, not just the error code.
      const res = await t.send(routes.verifyOtp, { token: clientToken, body });
      expect(res.statusCode).toBe(401);
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1);
  });

  it('locks a Client and osUser pair after 100 consecutive failures, across a restart, until an admin clears it', async () => {
    const { clientId, clientToken, osUser, email, otp } = await approvedOtp();
    for (let i = 0; i < 100; i++)
      await expect(verify(clientToken, { osUser, email: `x${i}@corp.example.com`, otp: '12345678' })).rejects.toMatchObject({
        status: 401,
      });
    await t.restart();
    await expect(verify(clientToken, { osUser, email, otp })).rejects.toMatchObject({ status: 401 });
    const admin = await t.adminToken();
    expect(await t.api(admin)(routes.listLockouts, {})).toEqual([expect.objectContaining({ clientId, osUser, failures: 101 })]);
    await t.api(admin)(routes.clearLockout, { body: { clientId, osUser } });
    expect((await verify(clientToken, { osUser, email, otp })).allowed).toBe(true);
  });
});

describe('the one-hour rule', () => {
  it('refuses a new OTP for the same computer within the interval, with Retry-After, also after a restart', async () => {
    const { clientToken, requestId } = await approvedOtp();
    t.clock.advance(10 * MINUTE);
    const alice = { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' } as const;
    // The raw answer, for the header beside the body's field.
    const refused = await t.send(routes.createOtpRequest, { token: clientToken, body: alice });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'otp_interval' }, retryAfterSeconds: 50 * 60 });
    expect(refused.headers['retry-after']).toBe(String(50 * 60));

    await t.restart();
    await expect(requestOtp(clientToken, alice)).rejects.toMatchObject({ status: 429, code: 'otp_interval' });
    // Emergency requests are never refused by the interval: a person decides (test/routes/otp/lock-flow.test.ts).

    await resend(clientToken, requestId);

    t.clock.advance(50 * MINUTE);
    expect(await requestOtp(clientToken, alice)).toMatchObject({ status: 'pending' });
  });

  it('counts per computer: another computer may get its OTP at once', async () => {
    await approvedOtp({ computer: 'PC-A' });
    const other = await t.enroll('PC-B');
    await requestOtp(other.clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
  });

  it('follows otpRequestIntervalMinutes, and 0 turns the rule off', async () => {
    const admin = await t.adminToken();
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const { clientToken } = await approvedOtp();
    await requestOtp(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'other@corp.example.com' });
  });
});

describe('resend', () => {
  it('mails the same code again while it is valid, and refuses once it expired', async () => {
    const { clientToken, requestId, otp, email } = await approvedOtp();
    const before = t.smtp.mails.length;
    expect(await resend(clientToken, requestId)).toMatchObject({ requestId, status: 'sent', email });
    await t.smtp.waitFor((m) => t.smtp.mails.indexOf(m) >= before && m.to.includes(email));
    expect(otpFromMail(t.smtp.mails.at(-1)!)).toBe(otp);

    t.clock.advance(30 * MINUTE);
    await expect(resend(clientToken, requestId)).rejects.toMatchObject({ status: 409, code: 'not_resendable' });
  });

  it('refuses to resend a request that is still pending', async () => {
    const { clientToken } = await t.enroll();
    const { requestId } = await requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' });
    await expect(resend(clientToken, requestId)).rejects.toMatchObject({ status: 409 });
  });
});

describe('methods and policy', () => {
  it('refuses a method the policy does not allow, and always allows emergency', async () => {
    const { clientToken } = await t.enroll();
    const notAllowed = { status: 403, code: 'method_not_allowed' };
    await expect(requestOtp(clientToken, { osUser: 'ann', method: 'directory' })).rejects.toMatchObject(notAllowed);
    await expect(requestOtp(clientToken, { osUser: 'ann', method: 'internal', login: 'ann', password: 'x' })).rejects.toMatchObject(
      notAllowed,
    );

    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true });
    await expect(requestOtp(clientToken, { osUser: 'ann', method: 'email', email: 'ann@corp.example.com' })).rejects.toMatchObject(
      notAllowed,
    );
    expect(await requestOtp(clientToken, { osUser: 'ann', method: 'emergency', email: 'ann@corp.example.com' })).toMatchObject({
      status: 'pending',
    });
  });

  it('refuses every request from a Client whose one-time passwords are turned off', async () => {
    const { clientId, clientToken } = await t.enroll();
    const admin = await t.adminToken();
    await t.api(admin)(routes.patchClient, { params: { clientId }, body: { allowOneTimePasswords: false } });
    expect((await t.api(clientToken)(routes.getPolicy, {})).allowOneTimePasswords).toBe(false);
    await expect(requestOtp(clientToken, { osUser: 'ann', method: 'emergency', email: 'ann@corp.example.com' })).rejects.toMatchObject({
      status: 403,
      code: 'otp_not_allowed',
    });
  });

  it('serves the policy from the settings', async () => {
    const { clientToken } = await t.enroll();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { autoSendToInternalUsers: true, otpLength: 6 });
    expect(await t.api(clientToken)(routes.getPolicy, {})).toMatchObject({
      allowOneTimePasswords: true,
      autoSendToDirectoryUsers: false,
      autoSendToInternalUsers: true,
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
    // Raw answers: a wrong password and an unknown login must not differ by a byte.
    const wrong = await t.send(routes.createOtpRequest, {
      token: clientToken,
      body: { osUser: 'carol', method: 'internal', login: 'carol', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    const unknown = await t.send(routes.createOtpRequest, {
      token: clientToken,
      body: { osUser: 'carol', method: 'internal', login: 'nobody', password: 'nope' },
    });
    expect(unknown.body).toBe(wrong.body);

    const res = await requestOtp(clientToken, { osUser: 'carol', method: 'internal', login: 'carol', password: 'carol-password-1' });
    expect(res).toMatchObject({ status: 'sent', email: 'carol@corp.example.com' });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('carol@')));
    expect(otp).toMatch(/^\d{10}$/);
    expect((await verify(clientToken, { osUser: 'carol', email: 'carol@corp.example.com', otp })).allowed).toBe(true);
  });
});

describe('Generate Password', () => {
  it('lets helpdesk issue an OTP without a request; the session is listed as generated', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk', password: 'helpdesk-password' });
    const helpdesk = await t.adminToken('helen', 'helpdesk-password');
    const { clientId, clientToken } = await t.enroll('KIOSK-3');
    const generated = await t.api(helpdesk)(routes.generateOtp, {
      body: { clientId, osUser: 'kiosk', email: 'dave@corp.example.com', comment: 'called from the branch' },
    });
    expect(generated.expiresAt).toBe(t.clock.now() + 30 * MINUTE);
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('dave@')));
    expect((await verify(clientToken, { osUser: 'kiosk', email: 'dave@corp.example.com', otp })).allowed).toBe(true);
    const sessions = await t.api(helpdesk)(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ via: 'generated', userName: 'kiosk (dave@corp.example.com)' });
  });
});

describe('sessions', () => {
  it('records heartbeats and the end of a session, only from the Client that owns it', async () => {
    const { clientToken, osUser, email, otp, admin } = await approvedOtp();
    const { sessionId } = await verify(clientToken, { osUser, email, otp });
    const params = { sessionId: sessionId! };
    t.clock.advance(5 * MINUTE);
    await t.api(clientToken)(routes.heartbeat, { params });
    const other = await t.enroll('PC-OTHER');
    await expect(t.api(other.clientToken)(routes.endSession, { params })).rejects.toMatchObject({ status: 404 });
    t.clock.advance(MINUTE);
    await t.api(clientToken)(routes.endSession, { params });
    const [session] = await t.api(admin)(routes.listSessions, {});
    expect(session!.lastSeenAt).toBe(t.clock.now());
    expect(session!.endedAt).toBe(t.clock.now());
    await expect(t.api(clientToken)(routes.heartbeat, { params })).rejects.toMatchObject({ status: 409 });
  });
});

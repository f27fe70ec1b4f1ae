import { describe, expect, it } from 'vitest';
import { UNREACHABLE_DIRECTORY_ENV, otpFromMail, testNonce } from '@latchkey/test-support';
import {
  DEFAULT_SETTINGS,
  HEARTBEAT_INTERVAL_MS,
  requestReference,
  routes,
  type OtpRequestBody,
  type VerifyBody,
} from '@latchkey/contracts';
import { buildTestApp, useTestApp } from '../helper.js';

// v1.2 "The helpdesk's day" (docs/api.md): what the console and the lock need from the server.
const t = useTestApp();

const requestOtp = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const verify = (token: string, body: Omit<VerifyBody, 'nonce'>) =>
  t.api(token)(routes.verifyOtp, { body: { ...body, nonce: testNonce() } });
const stateOf = (token: string, requestId: string) => t.api(token)(routes.getOtpRequest, { params: { requestId } });
const cancel = (token: string, requestId: string) => t.api(token)(routes.cancelOtpRequest, { params: { requestId } });
const approve = (admin: string, requestId: string) => t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
const auditOf = (admin: string, type: string) => t.api(admin)(routes.listAudit, { query: { type } });

async function approvedTo(email: string) {
  const admin = await t.adminToken();
  const client = await t.enroll('PC-WRONG');
  const asked = await requestOtp(client.clientToken, { osUser: 'CORP\\ann', method: 'email', email });
  await approve(admin, asked.requestId);
  const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes(email)));
  return { admin, ...client, requestId: asked.requestId, otp };
}

describe('a wrong address after approval', () => {
  it('cancels a sent OTP: it stops verifying and reads as cancelled', async () => {
    const { clientToken, requestId, otp } = await approvedTo('ann@crop.example.com');
    expect(await cancel(clientToken, requestId)).toMatchObject({ requestId, status: 'cancelled' });
    expect(await stateOf(clientToken, requestId)).toMatchObject({ status: 'cancelled' });
    await expect(verify(clientToken, { osUser: 'CORP\\ann', email: 'ann@crop.example.com', otp })).rejects.toMatchObject({
      status: 401,
      code: 'access_denied',
    });
  });

  it('lets the next request of that Client and osUser through the interval once per cancelled OTP, and audits both', async () => {
    const { admin, clientToken, requestId } = await approvedTo('ann@crop.example.com');
    const ask = (osUser: string, email: string) => requestOtp(clientToken, { osUser, method: 'email', email });
    // The interval (60 minutes by default) refuses a new request before the cancel…
    await expect(ask('CORP\\ann', 'ann@corp.example.com')).rejects.toMatchObject({ status: 429, code: 'otp_interval' });
    await cancel(clientToken, requestId);
    // …never another osUser's, even after it…
    await expect(ask('CORP\\bob', 'bob@corp.example.com')).rejects.toMatchObject({ status: 429, code: 'otp_interval' });
    // …and lets the corrected one through.
    const corrected = await ask('CORP\\ann', 'ann@corp.example.com');
    expect(corrected).toMatchObject({ status: 'pending', email: 'ann@corp.example.com' });
    await approve(admin, corrected.requestId);
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('ann@corp.example.com')));
    expect(await verify(clientToken, { osUser: 'CORP\\ann', email: 'ann@corp.example.com', otp })).toMatchObject({ allowed: true });

    // Once: the waiver is used, and the corrected OTP (now issued) restarts the interval.
    await expect(ask('CORP\\ann', 'ann@corp.example.com')).rejects.toMatchObject({ status: 429, code: 'otp_interval' });
    expect(await auditOf(admin, 'otp.cancelled')).toEqual([expect.objectContaining({ requestId, email: 'ann@crop.example.com' })]);
    expect(await auditOf(admin, 'otp.interval_waived')).toEqual([
      expect.objectContaining({ requestId: corrected.requestId, osUser: 'CORP\\ann', detail: expect.stringContaining(requestId) }),
    ]);
  });

  it('still refuses to cancel a used OTP with 409 not_pending', async () => {
    const { clientToken, requestId, otp } = await approvedTo('ann@corp.example.com');
    await verify(clientToken, { osUser: 'CORP\\ann', email: 'ann@corp.example.com', otp });
    await expect(cancel(clientToken, requestId)).rejects.toMatchObject({ status: 409, code: 'not_pending' });
  });

  it('answers attemptsLeft while sent, counting wrong codes down, and names the address on a resend', async () => {
    const { clientToken, requestId, otp } = await approvedTo('ann@corp.example.com');
    const max = DEFAULT_SETTINGS.maxVerifyAttempts;
    expect(await stateOf(clientToken, requestId)).toMatchObject({ status: 'sent', attemptsLeft: max });
    const wrong = otp === '000000' ? '111111' : '000000';
    await expect(verify(clientToken, { osUser: 'CORP\\ann', email: 'ann@corp.example.com', otp: wrong })).rejects.toMatchObject({
      status: 401,
    });
    expect(await stateOf(clientToken, requestId)).toMatchObject({ status: 'sent', attemptsLeft: max - 1 });
    const resent = await t.api(clientToken)(routes.resendOtp, { params: { requestId } });
    expect(resent).toMatchObject({ status: 'sent', email: 'ann@corp.example.com', attemptsLeft: max - 1 });
    await verify(clientToken, { osUser: 'CORP\\ann', email: 'ann@corp.example.com', otp });
    expect(await stateOf(clientToken, requestId)).not.toHaveProperty('attemptsLeft');
  });
});

describe('the staff notice of an emergency', () => {
  it('goes at once, even within a minute of another notice, and names the computer, the user, the email and the reason', async () => {
    const { clientToken } = await t.enroll('PC-FLOOR-3');
    const staffMails = () => t.smtp.mails.filter((m) => m.to.includes('admin@corp.example.com'));
    await requestOtp(clientToken, { osUser: 'CORP\\first', method: 'email', email: 'first@corp.example.com' });
    await t.smtp.waitFor(() => staffMails().length >= 1);
    t.clock.advance(5_000);
    await requestOtp(clientToken, {
      osUser: 'CORP\\olga',
      method: 'emergency',
      email: 'olga@corp.example.com',
      reason: 'payroll run due at noon',
    });
    const notice = await t.smtp.waitFor((m) => m.to.includes('admin@corp.example.com') && m.subject.includes('Emergency'));
    expect(notice.subject).toContain('CORP\\olga');
    expect(notice.subject).toContain('PC-FLOOR-3');
    for (const words of ['PC-FLOOR-3', 'CORP\\olga', 'olga@corp.example.com', 'payroll run due at noon'])
      expect(notice.text).toContain(words);
    // Not folded into the minute's reminder: no "More access requests" is waiting for it.
    expect(staffMails().filter((m) => m.subject.startsWith('More access requests'))).toHaveLength(0);
  });
});

describe('users and settings', () => {
  it('creates a user with the role user when none is given', async () => {
    const admin = await t.adminToken();
    const created = await t.api(admin)(routes.createUser, {
      body: { login: 'newbie', password: 'newbie-password-1', email: 'newbie@corp.example.com' },
    });
    expect(created.role).toBe('user');
    const audited = await auditOf(admin, 'user.created');
    expect(audited[0]!.detail).toBe('newbie as user');
  });

  it('refuses autoSendToDirectoryUsers while no directory is configured with 400 directory_not_configured', async () => {
    const admin = await t.adminToken();
    await expect(t.api(admin)(routes.putSettings, { body: { autoSendToDirectoryUsers: true } })).rejects.toMatchObject({
      status: 400,
      code: 'directory_not_configured',
    });
    expect((await t.api(admin)(routes.getSettings, {})).autoSendToDirectoryUsers).toBe(false);
    // Switching it off, or anything else, is never refused.
    expect(await t.api(admin)(routes.putSettings, { body: { autoSendToDirectoryUsers: false, otpLength: 8 } })).toMatchObject({
      otpLength: 8,
    });
  });

  it('answers the directory state: not configured', async () => {
    const helpdesk = await t.adminToken();
    expect(await t.api(helpdesk)(routes.getDirectoryStatus, {})).toEqual({ configured: false, reachable: null, checkedAt: null });
  });

  it('answers a configured directory that does not answer as unreachable, within its timeout, and caches the answer', async () => {
    const app = await buildTestApp({ env: { ...UNREACHABLE_DIRECTORY_ENV } });
    try {
      const admin = await app.adminToken();
      const started = Date.now();
      const status = await app.api(admin)(routes.getDirectoryStatus, {});
      expect(Date.now() - started).toBeLessThan(3000);
      expect(status).toEqual({ configured: true, reachable: false, checkedAt: app.clock.now() });
      app.clock.advance(1000);
      expect(await app.api(admin)(routes.getDirectoryStatus, {})).toEqual(status);
      // With a directory configured, auto-send may be switched on.
      expect(await app.api(admin)(routes.putSettings, { body: { autoSendToDirectoryUsers: true } })).toMatchObject({
        autoSendToDirectoryUsers: true,
      });
    } finally {
      await app.destroy();
    }
  });
});

describe('sessions and references', () => {
  it('shows a session not heard from for 3 heartbeats as not_responding, and active again once one arrives', async () => {
    const admin = await t.adminToken();
    const { clientId, clientToken } = await t.enroll('PC-QUIET');
    await t.api(admin)(routes.generateOtp, { body: { clientId, osUser: 'CORP\\quiet', email: 'quiet@corp.example.com' } });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('quiet@corp.example.com')));
    const { sessionId } = await verify(clientToken, { osUser: 'CORP\\quiet', email: 'quiet@corp.example.com', otp });
    const stateNow = async () => (await t.api(admin)(routes.listSessions, { query: { q: 'PC-QUIET' } }))[0]!.state;
    expect(await stateNow()).toBe('active');
    t.clock.advance(3 * HEARTBEAT_INTERVAL_MS);
    expect(await stateNow()).toBe('active');
    t.clock.advance(1_000);
    expect(await stateNow()).toBe('not_responding');
    await t.api(clientToken)(routes.heartbeat, { params: { sessionId } });
    expect(await stateNow()).toBe('active');
    await t.api(clientToken)(routes.endSession, { params: { sessionId } });
    expect(await stateNow()).toBe('ended');
  });

  it('finds an access request by the reference the user reads out, however it was typed', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-REF');
    const asked = [];
    for (const who of ['ann', 'bob', 'cid']) {
      asked.push(await requestOtp(clientToken, { osUser: `CORP\\${who}`, method: 'email', email: `${who}@corp.example.com` }));
    }
    const reference = requestReference(asked[1]!.requestId);
    const typed = ` ${reference.toLowerCase().replace('-', ' ')} `;
    const found = await t.api(admin)(routes.listAccessRequests, { query: { reference: typed } });
    expect(found.map((r) => r.requestId)).toEqual([asked[1]!.requestId]);
    expect(await t.api(admin)(routes.listAccessRequests, { query: { reference: typed, status: 'denied' } })).toEqual([]);
    expect(await t.api(admin)(routes.listAccessRequests, { query: { reference: 'not a reference' } })).toEqual([]);
  });
});

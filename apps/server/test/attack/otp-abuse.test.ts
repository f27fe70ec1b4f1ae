import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type SettingsPatch } from '@latchkey/contracts';
import { otpFromMail, refusalOf, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/** The abuse of the OTP rules as it was tried against a running server (issue 10). */
describe('OTP abuse over HTTP', () => {
  const server = useServerProcess({
    smtp: true,
    env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '100000', LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '100000' },
  });
  let admin: string;
  beforeAll(async () => {
    admin = await server.login();
  });

  const settings = (body: SettingsPatch) => server.api(admin)(routes.putSettings, { body });

  it('bob asks for an OTP for CORP\\ceo with his own login and password: refused, nothing mailed, no session', async () => {
    await settings({ autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 });
    await server.api(admin)(routes.createUser, {
      body: { login: 'bob', password: 'bob-password-1', email: 'bob@corp.example.com', role: 'user' },
    });
    const ceoDesktop = server.api((await server.enroll('CEO-DESKTOP')).clientToken);

    await expect(
      ceoDesktop(routes.createOtpRequest, { body: { osUser: 'CORP\\ceo', method: 'internal', login: 'bob', password: 'bob-password-1' } }),
    ).rejects.toMatchObject({ status: 403, code: 'account_not_linked' });

    // His own account still works, so the mail would have arrived by now had one been sent for the CEO.
    await ceoDesktop(routes.createOtpRequest, {
      body: { osUser: 'CORP\\bob', method: 'internal', login: 'bob', password: 'bob-password-1' },
    });
    await server.smtp.waitFor((m) => m.to.includes('bob@corp.example.com') && m.text.includes('CORP\\bob'));
    expect(server.smtp.mails.filter((m) => m.text.includes('CORP\\ceo'))).toHaveLength(0);
    const sessions = await server.api(admin)(routes.listSessions, {});
    expect(JSON.stringify(sessions)).not.toContain('ceo');
    const audit = await server.api(admin)(routes.listAudit, { query: { type: 'otp.refused' } });
    expect(audit).toEqual([expect.objectContaining({ osUser: 'CORP\\ceo', email: 'bob@corp.example.com' })]);
  });

  it('helpdesk asks for emergency access to a desktop with their own email and approves it: 403 self_approval', async () => {
    await server.api(admin)(routes.createUser, {
      body: { login: 'hank', password: 'hank-password-1', email: 'hank@corp.example.com', role: 'helpdesk' },
    });
    const hank = await server.login('hank', 'hank-password-1');
    const desktop = server.api((await server.enroll('FINANCE-01')).clientToken);
    const { requestId } = await desktop(routes.createOtpRequest, {
      body: { osUser: 'CORP\\cfo', method: 'emergency', email: 'hank@corp.example.com', reason: 'forgot' },
    });
    await expect(server.api(hank)(routes.approveAccessRequest, { params: { requestId }, body: {} })).rejects.toMatchObject({
      status: 403,
      code: 'self_approval',
    });
    expect((await desktop(routes.getOtpRequest, { params: { requestId } })).status).toBe('pending');
  });

  it('burns an OTP with 5 wrong codes, then raises maxVerifyAttempts to 10 and tries the right code: still refused, still burnt', async () => {
    await settings({ maxVerifyAttempts: 5 });
    const desktop = await server.enroll('PC-REVIVE');
    const body = { osUser: 'CORP\\eve', email: 'eve@corp.example.com' };
    const { requestId } = await server.api(admin)(routes.generateOtp, { body: { clientId: desktop.clientId, ...body } });
    const code = otpFromMail(await server.smtp.waitFor((m) => m.to.includes('eve@corp.example.com')));
    const asDesktop = server.api(desktop.clientToken);
    const verify = (otp: string) => asDesktop(routes.verifyOtp, { body: { ...body, otp, nonce: testNonce() } });
    for (let i = 0; i < 5; i++) await expect(verify(code === '00000000' ? '11111111' : '00000000')).rejects.toMatchObject({ status: 401 });
    await settings({ maxVerifyAttempts: 10 });
    await expect(verify(code)).rejects.toMatchObject({ status: 401 });
    expect((await asDesktop(routes.getOtpRequest, { params: { requestId } })).status).toBe('burnt');
  });

  it('asks for 70 resends of one OTP within a second: 3 are mailed, the rest answered 429 resend_limit', async () => {
    const desktop = await server.enroll('PC-RESEND');
    const email = 'mallory.target@corp.example.com';
    const { requestId } = await server.api(admin)(routes.generateOtp, {
      body: { clientId: desktop.clientId, osUser: 'CORP\\target', email },
    });
    const refusals = await Promise.all(
      Array.from({ length: 70 }, () => refusalOf(server.api(desktop.clientToken)(routes.resendOtp, { params: { requestId } }))),
    );
    expect(refusals.filter((r) => r === undefined)).toHaveLength(3);
    expect(refusals.filter((r) => r?.status === 429 && r.code === 'resend_limit')).toHaveLength(67);
    const { smtp } = server;
    await smtp.waitFor(() => smtp.mails.filter((m) => m.to.includes(email)).length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(4);
  });

  it('4 Clients send 50 junk requests each, then one real emergency: it is on the first page, staff get one notice for the flood and one for it', async () => {
    // The email method (approval by staff), as a stranger's flood would use it.
    await settings({ autoSendToInternalUsers: false });
    await server.api(admin)(routes.createUser, {
      body: { login: 'sally', password: 'sally-password-1', email: 'sally@corp.example.com', role: 'helpdesk' },
    });
    const listPending = () => server.api(admin)(routes.listAccessRequests, { query: { status: 'pending' } });
    const before = (await listPending()).length;
    const rogues = await Promise.all([1, 2, 3, 4].map((i) => server.enroll(`ROGUE-${i}`)));
    const refusals = await Promise.all(
      rogues.flatMap((rogue, r) =>
        Array.from({ length: 50 }, (_, i) =>
          refusalOf(
            server.api(rogue.clientToken)(routes.createOtpRequest, {
              body: { osUser: `CORP\\junk${r}-${i}`, method: 'email', email: `junk${r}.${i}@example.net` },
            }),
          ),
        ),
      ),
    );
    expect(refusals.filter((r) => r === undefined)).toHaveLength(4 * 5);
    expect(refusals.filter((r) => r?.status === 429)).toHaveLength(4 * 45);

    const victim = await server.enroll('PC-REAL-USER');
    const real = await server.api(victim.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\realuser', method: 'emergency', email: 'realuser@corp.example.com', reason: 'really locked out' },
    });
    const pending = await listPending();
    expect(pending).toHaveLength(before + 21);
    expect(pending[0]).toMatchObject({ requestId: real.requestId, osUser: 'CORP\\realuser' });
    const { smtp } = server;

    // One notice for the flood (the rest fold into one reminder a minute later); the real emergency
    // is never folded (v1.2): its own notice goes at once and names who and where.
    await smtp.waitFor((m) => m.to.includes('sally@corp.example.com') && m.text.includes('CORP\\realuser'));
    await new Promise((r) => setTimeout(r, 1500));
    const toSally = smtp.mails.filter((m) => m.to.includes('sally@corp.example.com'));
    expect(toSally).toHaveLength(2);
    expect(toSally.filter((m) => m.text.includes('PC-REAL-USER'))).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpFromMail, startServerProcess, startSmtpSink, type ServerProcess, type SmtpSink, testNonce } from '@latchkey/test-support';

/** The abuse of the OTP rules as it was tried against a running server (issue 10). */
describe('OTP abuse over HTTP', () => {
  let smtp: SmtpSink;
  let server: ServerProcess;
  let admin: string;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startServerProcess({
      smtpUrl: smtp.url,
      env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '100000', LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '100000' },
    });
    admin = await server.login();
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
  });

  const settings = (patch: Record<string, unknown>) => server.call('PUT', '/api/v1/admin/settings', { token: admin, body: patch });

  it('bob asks for an OTP for CORP\\ceo with his own login and password: refused, nothing mailed, no session', async () => {
    expect((await settings({ autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 })).status).toBe(200);
    const created = await server.call('POST', '/api/v1/admin/users', {
      token: admin,
      body: { login: 'bob', password: 'bob-password-1', email: 'bob@corp.example.com', role: 'user' },
    });
    expect(created.status).toBe(201);
    const ceoDesktop = await server.enroll('CEO-DESKTOP');

    const res = await server.call('POST', '/api/v1/otp/requests', {
      token: ceoDesktop.clientToken,
      body: { osUser: 'CORP\\ceo', method: 'internal', login: 'bob', password: 'bob-password-1' },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('account_not_linked');

    // His own account still works, so the mail would have arrived by now had one been sent for the CEO.
    const own = await server.call('POST', '/api/v1/otp/requests', {
      token: ceoDesktop.clientToken,
      body: { osUser: 'CORP\\bob', method: 'internal', login: 'bob', password: 'bob-password-1' },
    });
    expect(own.status).toBe(201);
    await smtp.waitFor((m) => m.to.includes('bob@corp.example.com') && m.text.includes('CORP\\bob'));
    expect(smtp.mails.filter((m) => m.text.includes('CORP\\ceo'))).toHaveLength(0);
    const sessions = await server.call('GET', '/api/v1/admin/sessions', { token: admin });
    expect(sessions.text).not.toContain('ceo');
    const audit = await server.call('GET', '/api/v1/admin/audit?type=otp.refused', { token: admin });
    expect(audit.json).toEqual([expect.objectContaining({ osUser: 'CORP\\ceo', email: 'bob@corp.example.com' })]);
  });

  it('helpdesk asks for emergency access to a desktop with their own email and approves it: 403 self_approval', async () => {
    const helpdeskUser = { login: 'hank', password: 'hank-password-1', email: 'hank@corp.example.com', role: 'helpdesk' };
    expect((await server.call('POST', '/api/v1/admin/users', { token: admin, body: helpdeskUser })).status).toBe(201);
    const hank = await server.login('hank', 'hank-password-1');
    const desktop = await server.enroll('FINANCE-01');
    const asked = await server.call('POST', '/api/v1/otp/requests', {
      token: desktop.clientToken,
      body: { osUser: 'CORP\\cfo', method: 'emergency', email: 'hank@corp.example.com', reason: 'forgot' },
    });
    expect(asked.status).toBe(201);
    const approved = await server.call('POST', `/api/v1/admin/access-requests/${asked.json.requestId}/approve`, { token: hank, body: {} });
    expect(approved.status).toBe(403);
    expect(approved.json.error.code).toBe('self_approval');
    const state = await server.call('GET', `/api/v1/otp/requests/${asked.json.requestId}`, { token: desktop.clientToken });
    expect(state.json.status).toBe('pending');
  });

  it('burns an OTP with 5 wrong codes, then raises maxVerifyAttempts to 10 and tries the right code: still refused, still burnt', async () => {
    expect((await settings({ maxVerifyAttempts: 5 })).status).toBe(200);
    const desktop = await server.enroll('PC-REVIVE');
    const body = { osUser: 'CORP\\eve', email: 'eve@corp.example.com' };
    const generated = await server.call('POST', '/api/v1/admin/otp', { token: admin, body: { clientId: desktop.clientId, ...body } });
    expect(generated.status).toBe(201);
    const code = otpFromMail(await smtp.waitFor((m) => m.to.includes('eve@corp.example.com')));
    const verify = (otp: string) =>
      server.call('POST', '/api/v1/otp/verify', { token: desktop.clientToken, body: { ...body, otp, nonce: testNonce() } });
    for (let i = 0; i < 5; i++) expect((await verify(code === '00000000' ? '11111111' : '00000000')).status).toBe(401);
    expect((await settings({ maxVerifyAttempts: 10 })).status).toBe(200);
    expect((await verify(code)).status).toBe(401);
    const state = await server.call('GET', `/api/v1/otp/requests/${generated.json.requestId}`, { token: desktop.clientToken });
    expect(state.json.status).toBe('burnt');
  });

  it('asks for 70 resends of one OTP within a second: 3 are mailed, the rest answered 429 resend_limit', async () => {
    const desktop = await server.enroll('PC-RESEND');
    const email = 'mallory.target@corp.example.com';
    const generated = await server.call('POST', '/api/v1/admin/otp', {
      token: admin,
      body: { clientId: desktop.clientId, osUser: 'CORP\\target', email },
    });
    expect(generated.status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 70 }, () =>
        server.call('POST', `/api/v1/otp/requests/${generated.json.requestId}/resend`, { token: desktop.clientToken }),
      ),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429 && a.json.error.code === 'resend_limit')).toHaveLength(67);
    await smtp.waitFor(() => smtp.mails.filter((m) => m.to.includes(email)).length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(4);
  });

  it('4 Clients send 50 junk requests each, then one real emergency: it is on the first page, staff get one notice for the flood and one for it', async () => {
    // The email method (approval by staff), as a stranger's flood would use it.
    expect((await settings({ autoSendToInternalUsers: false })).status).toBe(200);
    const staff = { login: 'sally', password: 'sally-password-1', email: 'sally@corp.example.com', role: 'helpdesk' };
    expect((await server.call('POST', '/api/v1/admin/users', { token: admin, body: staff })).status).toBe(201);
    const listPending = () => server.call('GET', '/api/v1/admin/access-requests?status=pending', { token: admin });
    const before = ((await listPending()).json as unknown[]).length;
    const rogues = await Promise.all([1, 2, 3, 4].map((i) => server.enroll(`ROGUE-${i}`)));
    const statuses = await Promise.all(
      rogues.flatMap((rogue, r) =>
        Array.from({ length: 50 }, async (_, i) => {
          const res = await server.call('POST', '/api/v1/otp/requests', {
            token: rogue.clientToken,
            body: { osUser: `CORP\\junk${r}-${i}`, method: 'email', email: `junk${r}.${i}@example.net` },
          });
          return res.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(4 * 5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4 * 45);

    const victim = await server.enroll('PC-REAL-USER');
    const real = await server.call('POST', '/api/v1/otp/requests', {
      token: victim.clientToken,
      body: { osUser: 'CORP\\realuser', method: 'emergency', email: 'realuser@corp.example.com', reason: 'really locked out' },
    });
    expect(real.status).toBe(201);
    const pending = await listPending();
    expect(pending.json).toHaveLength(before + 21);
    expect(pending.json[0]).toMatchObject({ requestId: real.json.requestId, osUser: 'CORP\\realuser' });

    // One notice for the flood (the rest fold into one reminder a minute later); the real emergency
    // is never folded (v1.2): its own notice goes at once and names who and where.
    await smtp.waitFor((m) => m.to.includes('sally@corp.example.com') && m.text.includes('CORP\\realuser'));
    await new Promise((r) => setTimeout(r, 1500));
    const toSally = smtp.mails.filter((m) => m.to.includes('sally@corp.example.com'));
    expect(toSally).toHaveLength(2);
    expect(toSally.filter((m) => m.text.includes('PC-REAL-USER'))).toHaveLength(1);
  });
});

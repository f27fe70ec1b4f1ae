import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  otpFromMail,
  runPool,
  startServerProcess,
  startSmtpSink,
  type ServerProcess,
  type SmtpSink,
  testNonce,
} from '@latchkey/test-support';

describe('token guessing (default rate limits)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => server?.destroy());

  it('refuses 300 random Client tokens and limits the guessing address', async () => {
    const counts = new Map<number, number>();
    await runPool(300, 10, async (i) => {
      const token = randomBytes(32).toString('base64url');
      const path = i % 2 ? '/api/v1/client/policy' : '/api/v1/otp/requests/AAAAAAAAAAAA';
      const res = await server.call('GET', path, { token, headers: { 'x-forwarded-for': `198.51.100.${i % 250}` } });
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    });
    expect([...counts.keys()].sort()).toEqual([401, 429]);
    // Unknown tokens are anonymous callers: 20 a minute per address, whatever X-Forwarded-For says.
    expect(counts.get(401)).toBeLessThanOrEqual(20);
  });

  it.each([
    ['no header', undefined],
    ['a Basic header', 'Basic YWRtaW46YWRtaW4='],
    ['a short bearer', 'Bearer abc'],
    ['a bearer with spaces', `Bearer ${'a'.repeat(30)} x`],
    ['an overlong bearer', `Bearer ${'a'.repeat(400)}`],
    ['a bearer with a NUL-like escape', `Bearer ${'a'.repeat(30)}%00`],
  ])('refuses %s on a Client endpoint with 401 or 429', async (_name, authorization) => {
    const res = await server.call('GET', '/api/v1/client/policy', { headers: authorization ? { authorization } : {} });
    expect([401, 429]).toContain(res.status);
    if (res.status === 401) expect(res.json.error.code).toBe('unauthorized');
  });
});

describe('one Client against another, and roles against admin routes', () => {
  let smtp: SmtpSink;
  let server: ServerProcess;
  let admin: string;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startServerProcess({ smtpUrl: smtp.url, env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' } });
    admin = await server.login();
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
  });

  it("refuses a Client token on another Client's session, request and OTP", async () => {
    const a = await server.enroll('PC-A');
    const b = await server.enroll('PC-B');
    const body = (email: string) => ({ clientId: a.clientId, osUser: 'CORP\\ann', email });
    const first = await server.call('POST', '/api/v1/admin/otp', { token: admin, body: body('ann1@corp.example.com') });
    const code1 = otpFromMail(await smtp.waitFor((m) => m.to.includes('ann1@')));
    const verified = await server.call('POST', '/api/v1/otp/verify', {
      token: a.clientToken,
      body: { osUser: 'CORP\\ann', email: 'ann1@corp.example.com', otp: code1, nonce: testNonce() },
    });
    expect(verified.status).toBe(200);
    const { sessionId } = verified.json;

    expect((await server.call('POST', `/api/v1/sessions/${sessionId}/heartbeat`, { token: b.clientToken })).status).toBe(404);
    expect((await server.call('POST', `/api/v1/sessions/${sessionId}/end`, { token: b.clientToken })).status).toBe(404);
    expect((await server.call('POST', `/api/v1/sessions/${sessionId}/heartbeat`, { token: a.clientToken })).status).toBe(204);
    expect((await server.call('GET', `/api/v1/otp/requests/${first.json.requestId}`, { token: b.clientToken })).status).toBe(404);
    expect((await server.call('POST', `/api/v1/otp/requests/${first.json.requestId}/resend`, { token: b.clientToken })).status).toBe(404);

    // B presents A's live code with A's user and email: refused, and A can still use it.
    await server.call('POST', '/api/v1/admin/otp', { token: admin, body: body('ann2@corp.example.com') });
    const code2 = otpFromMail(await smtp.waitFor((m) => m.to.includes('ann2@')));
    const stolen = await server.call('POST', '/api/v1/otp/verify', {
      token: b.clientToken,
      body: { osUser: 'CORP\\ann', email: 'ann2@corp.example.com', otp: code2, nonce: testNonce() },
    });
    expect(stolen.status).toBe(401);
    expect(stolen.json.error.code).toBe('access_denied');
    const own = await server.call('POST', '/api/v1/otp/verify', {
      token: a.clientToken,
      body: { osUser: 'CORP\\ann', email: 'ann2@corp.example.com', otp: code2, nonce: testNonce() },
    });
    expect(own.status).toBe(200);
    // A replay of a used code is refused.
    const replay = await server.call('POST', '/api/v1/otp/verify', {
      token: a.clientToken,
      body: { osUser: 'CORP\\ann', email: 'ann2@corp.example.com', otp: code2, nonce: testNonce() },
    });
    expect(replay.status).toBe(401);
  });

  it('refuses a Client token on admin routes and an admin token on Client routes', async () => {
    const a = await server.enroll('PC-C');
    expect((await server.call('GET', '/api/v1/admin/clients', { token: a.clientToken })).status).toBe(401);
    expect((await server.call('GET', '/api/v1/client/policy', { token: admin })).status).toBe(401);
  });

  it('answers helpdesk 403 on every admin-only route and lets it do its own work', async () => {
    const mk = (login: string, role: string) =>
      server.call('POST', '/api/v1/admin/users', {
        token: admin,
        body: { login, password: `${login}-password-1`, email: `${login}@corp.example.com`, role },
      });
    expect((await mk('helen', 'helpdesk')).status).toBe(201);
    const helpdesk = await server.login('helen', 'helen-password-1');
    const { clientId } = await server.enroll('PC-D');
    const before = (await server.call('GET', '/api/v1/admin/settings', { token: admin })).json;

    const adminOnly: [string, string, unknown?][] = [
      ['GET', '/api/v1/admin/settings'],
      ['PUT', '/api/v1/admin/settings', { otpLength: 6 }],
      ['PATCH', `/api/v1/admin/clients/${clientId}`, { allowOneTimePasswords: false }],
      ['GET', '/api/v1/admin/users'],
      ['POST', '/api/v1/admin/users', { login: 'mallory', password: 'mallory-password', email: 'm@corp.example.com', role: 'admin' }],
      ['PATCH', '/api/v1/admin/users/admin', { password: 'taken-over-1234' }],
      ['PATCH', '/api/v1/admin/users/helen', { role: 'admin' }],
      ['DELETE', '/api/v1/admin/users/admin'],
      ['POST', '/api/v1/admin/lockouts/clear', { clientId, osUser: 'CORP\\ann' }],
    ];
    for (const [method, path, body] of adminOnly) {
      const res = await server.call(method, path, { token: helpdesk, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error.code, `${method} ${path}`).toBe('forbidden');
    }
    for (const path of ['/api/v1/admin/clients', '/api/v1/admin/sessions', '/api/v1/admin/audit', '/api/v1/admin/access-requests']) {
      expect((await server.call('GET', path, { token: helpdesk })).status, path).toBe(200);
    }
    // Nothing changed.
    expect((await server.call('GET', '/api/v1/admin/settings', { token: admin })).json).toEqual(before);
    expect(
      (await server.call('GET', '/api/v1/admin/users', { token: admin })).json.map(
        (u: { login: string; role: string }) => `${u.login}:${u.role}`,
      ),
    ).toEqual(['admin:admin', 'helen:helpdesk']);
    expect(
      (await server.call('GET', '/api/v1/admin/clients', { token: admin })).json.find((c: { clientId: string }) => c.clientId === clientId)
        .allowOneTimePasswords,
    ).toBe(true);
  });

  it('refuses the user role any Management Tool session, and anonymous callers every admin route', async () => {
    expect(
      (
        await server.call('POST', '/api/v1/admin/users', {
          token: admin,
          body: { login: 'ulla', password: 'ulla-password-1', email: 'ulla@corp.example.com', role: 'user' },
        })
      ).status,
    ).toBe(201);
    const login = await server.call('POST', '/api/v1/admin/login', { body: { login: 'ulla', password: 'ulla-password-1' } });
    expect(login.status).toBe(403);
    expect(login.json.error.code).toBe('forbidden');
    expect(login.headers.get('set-cookie')).toBeNull();
    for (const path of ['/api/v1/admin/settings', '/api/v1/admin/users', '/api/v1/admin/clients', '/api/v1/admin/audit']) {
      expect((await server.call('GET', path)).status, path).toBe(401);
    }
  });
});

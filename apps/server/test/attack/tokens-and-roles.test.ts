import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDescriptor, type RouteInput } from '@latchkey/contracts';
import { otpFromMail, refusalOf, runPool, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

describe('token guessing (default rate limits)', () => {
  const server = useServerProcess();

  it('refuses 300 random Client tokens and limits the guessing address', async () => {
    const counts = new Map<number, number>();
    await runPool(300, 10, async (i) => {
      const api = server.api(randomBytes(32).toString('base64url'), { 'x-forwarded-for': `198.51.100.${i % 250}` });
      const guess = i % 2 ? api(routes.getPolicy, {}) : api(routes.getOtpRequest, { params: { requestId: 'AAAAAAAAAAAA' } });
      const status = (await refusalOf(guess))?.status ?? 200;
      counts.set(status, (counts.get(status) ?? 0) + 1);
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
    // The malformed Authorization header itself is the attack: sent raw, as no typed call would.
    const res = await server.send(routes.getPolicy, { headers: authorization ? { authorization } : {} });
    expect([401, 429]).toContain(res.status);
    if (res.status === 401) expect(res.json.error.code).toBe('unauthorized');
  });
});

describe('one Client against another, and roles against admin routes', () => {
  const server = useServerProcess({ smtp: true, env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000' } });
  let admin: string;
  beforeAll(async () => {
    admin = await server.login();
  });

  it("refuses a Client token on another Client's session, request and OTP", async () => {
    const a = await server.enroll('PC-A');
    const b = await server.enroll('PC-B');
    const body = (email: string) => ({ clientId: a.clientId, osUser: 'CORP\\ann', email });
    const verify = (token: string, email: string, otp: string) =>
      server.api(token)(routes.verifyOtp, { body: { osUser: 'CORP\\ann', email, otp, nonce: testNonce() } });
    const first = await server.api(admin)(routes.generateOtp, { body: body('ann1@corp.example.com') });
    const code1 = otpFromMail(await server.smtp.waitFor((m) => m.to.includes('ann1@')));
    const { sessionId } = await verify(a.clientToken, 'ann1@corp.example.com', code1);

    const notFound = { status: 404 };
    const asB = server.api(b.clientToken);
    await expect(asB(routes.heartbeat, { params: { sessionId } })).rejects.toMatchObject(notFound);
    await expect(asB(routes.endSession, { params: { sessionId } })).rejects.toMatchObject(notFound);
    await server.api(a.clientToken)(routes.heartbeat, { params: { sessionId } });
    await expect(asB(routes.getOtpRequest, { params: { requestId: first.requestId } })).rejects.toMatchObject(notFound);
    await expect(asB(routes.resendOtp, { params: { requestId: first.requestId } })).rejects.toMatchObject(notFound);

    // B presents A's live code with A's user and email: refused, and A can still use it.
    await server.api(admin)(routes.generateOtp, { body: body('ann2@corp.example.com') });
    const code2 = otpFromMail(await server.smtp.waitFor((m) => m.to.includes('ann2@')));
    await expect(verify(b.clientToken, 'ann2@corp.example.com', code2)).rejects.toMatchObject({ status: 401, code: 'access_denied' });
    await verify(a.clientToken, 'ann2@corp.example.com', code2);
    // A replay of a used code is refused.
    await expect(verify(a.clientToken, 'ann2@corp.example.com', code2)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a Client token on admin routes and an admin token on Client routes', async () => {
    const a = await server.enroll('PC-C');
    await expect(server.api(a.clientToken)(routes.listClients, {})).rejects.toMatchObject({ status: 401 });
    await expect(server.api(admin)(routes.getPolicy, {})).rejects.toMatchObject({ status: 401 });
  });

  it('answers helpdesk 403 on every admin-only route and lets it do its own work', async () => {
    const asAdmin = server.api(admin);
    await asAdmin(routes.createUser, {
      body: { login: 'helen', password: 'helen-password-1', email: 'helen@corp.example.com', role: 'helpdesk' },
    });
    const helpdesk = server.api(await server.login('helen', 'helen-password-1'));
    const { clientId } = await server.enroll('PC-D');
    const before = await asAdmin(routes.getSettings, {});

    const adminOnly = <R extends RouteDescriptor>(route: R, input: RouteInput<R>) => [route, () => helpdesk(route, input)] as const;
    const calls = [
      adminOnly(routes.getSettings, {}),
      adminOnly(routes.putSettings, { body: { otpLength: 6 } }),
      adminOnly(routes.patchClient, { params: { clientId }, body: { allowOneTimePasswords: false } }),
      adminOnly(routes.listUsers, {}),
      adminOnly(routes.createUser, {
        body: { login: 'mallory', password: 'mallory-password', email: 'm@corp.example.com', role: 'admin' },
      }),
      adminOnly(routes.updateUser, { params: { login: 'admin' }, body: { password: 'taken-over-1234' } }),
      adminOnly(routes.updateUser, { params: { login: 'helen' }, body: { role: 'admin' } }),
      adminOnly(routes.deleteUser, { params: { login: 'admin' } }),
      adminOnly(routes.clearLockout, { body: { clientId, osUser: 'CORP\\ann' } }),
    ];
    for (const [route, call] of calls)
      await expect(call(), `${route.method} ${route.url}`).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await helpdesk(routes.listClients, {});
    await helpdesk(routes.listSessions, {});
    await helpdesk(routes.listAudit, {});
    await helpdesk(routes.listAccessRequests, {});
    // Nothing changed.
    expect(await asAdmin(routes.getSettings, {})).toEqual(before);
    expect((await asAdmin(routes.listUsers, {})).map((u) => `${u.login}:${u.role}`)).toEqual(['admin:admin', 'helen:helpdesk']);
    expect((await asAdmin(routes.listClients, {})).find((c) => c.clientId === clientId)?.allowOneTimePasswords).toBe(true);
  });

  it('refuses the user role any Management Tool session, and anonymous callers every admin route', async () => {
    await server.api(admin)(routes.createUser, {
      body: { login: 'ulla', password: 'ulla-password-1', email: 'ulla@corp.example.com', role: 'user' },
    });
    // Sent raw to read the answer's headers: no session cookie may come with the refusal.
    const login = await server.send(routes.adminLogin, { body: { login: 'ulla', password: 'ulla-password-1' } });
    expect(login.status).toBe(403);
    expect(login.json.error.code).toBe('forbidden');
    expect(login.headers.get('set-cookie')).toBeNull();
    const anonymous = server.api();
    await expect(anonymous(routes.getSettings, {})).rejects.toMatchObject({ status: 401 });
    await expect(anonymous(routes.listUsers, {})).rejects.toMatchObject({ status: 401 });
    await expect(anonymous(routes.listClients, {})).rejects.toMatchObject({ status: 401 });
    await expect(anonymous(routes.listAudit, {})).rejects.toMatchObject({ status: 401 });
  });
});

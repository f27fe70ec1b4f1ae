import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, routes, type SettingsPatch } from '@latchkey/contracts';
import { injectFetch } from '@latchkey/test-support';
import { ADMIN_PASSWORD, useTestApp } from '../helper.js';

const t = useTestApp();
const MINUTE = 60_000;

const login = (name: string, password: string) => t.api()(routes.adminLogin, { body: { login: name, password } });
/** The typed client as the console calls it: the session cookie (and CSRF token) instead of a bearer token. */
const withHeaders = (headers: Record<string, string>) =>
  createApiClient({ baseUrl: '', fetch: injectFetch(t.app), headers: () => headers });

describe('roles', () => {
  it('lets helpdesk read and decide but not change settings or users; the user role cannot sign in', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    await t.createUser(admin, { login: 'uma', role: 'user' });
    const helpdesk = t.api(await t.adminToken('helen', 'helen-password-1'));
    await helpdesk(routes.listAccessRequests, {});
    await helpdesk(routes.listSessions, {});
    await helpdesk(routes.listClients, {});
    await helpdesk(routes.listAudit, {});

    const forbidden = { status: 403, code: 'forbidden' };
    await expect(helpdesk(routes.getSettings, {}), 'GET settings').rejects.toMatchObject(forbidden);
    await expect(helpdesk(routes.putSettings, { body: { otpLength: 6 } }), 'PUT settings').rejects.toMatchObject(forbidden);
    await expect(helpdesk(routes.listUsers, {}), 'GET users').rejects.toMatchObject(forbidden);
    await expect(
      helpdesk(routes.createUser, { body: { login: 'x', password: 'xxxxxxxxxxxx', email: 'x@corp.example.com', role: 'admin' } }),
      'POST users',
    ).rejects.toMatchObject(forbidden);
    await expect(helpdesk(routes.deleteUser, { params: { login: 'admin' } }), 'DELETE users/admin').rejects.toMatchObject(forbidden);

    await expect(login('uma', 'uma-password-1')).rejects.toMatchObject({ status: 403 });
  });

  it('refuses admin routes without a token, and a Client token on them', async () => {
    const { clientToken } = await t.enroll();
    await expect(t.api()(routes.listSessions, {})).rejects.toMatchObject({ status: 401 });
    await expect(t.api(clientToken)(routes.listSessions, {})).rejects.toMatchObject({ status: 401 });
  });

  it('does not delete or demote the last admin', async () => {
    const admin = t.api(await t.adminToken());
    await expect(admin(routes.deleteUser, { params: { login: 'admin' } })).rejects.toMatchObject({ status: 409, code: 'last_admin' });
    await expect(admin(routes.updateUser, { params: { login: 'admin' }, body: { role: 'helpdesk' } })).rejects.toMatchObject({
      code: 'last_admin',
    });
  });
});

describe('sign-in', () => {
  it('gives the same answer for an unknown login and a wrong password, and locks after repeated failures', async () => {
    // The two raw answers are compared byte for byte.
    const wrong = await t.send(routes.adminLogin, { body: { login: 'admin', password: 'wrong-password' } });
    const unknown = await t.send(routes.adminLogin, { body: { login: 'ghost', password: 'wrong-password' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    for (let i = 0; i < 5; i++) await expect(login('admin', 'wrong-password')).rejects.toBeInstanceOf(ApiError);
    await expect(login('admin', ADMIN_PASSWORD)).rejects.toMatchObject({ status: 429, code: 'login_locked' });
    await t.restart();
    await expect(login('admin', ADMIN_PASSWORD)).rejects.toMatchObject({ status: 429 });
    t.clock.advance(15 * MINUTE);
    await login('admin', ADMIN_PASSWORD);
  });

  it('sets an httpOnly SameSite=Strict cookie that needs the CSRF token for changes, and expires after 20 idle minutes', async () => {
    // The raw answer: its Set-Cookie header is what is under test.
    const answer = await t.send(routes.adminLogin, { body: { login: 'admin', password: ADMIN_PASSWORD } });
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = answer.json() as { csrfToken: string };
    const settings: SettingsPatch = { otpLength: 6 };

    await withHeaders({ cookie })(routes.getSettings, {});
    await expect(withHeaders({ cookie })(routes.putSettings, { body: settings })).rejects.toMatchObject({
      status: 403,
      code: 'csrf_failed',
    });
    await withHeaders({ cookie, 'x-csrf-token': csrfToken })(routes.putSettings, { body: settings });

    t.clock.advance(19 * MINUTE);
    await withHeaders({ cookie })(routes.adminMe, {});
    t.clock.advance(20 * MINUTE + 1);
    await expect(withHeaders({ cookie })(routes.adminMe, {})).rejects.toMatchObject({ status: 401 });
  });

  it('validates settings ranges', async () => {
    const admin = await t.adminToken();
    // Out-of-range values the typed client would refuse before sending: sent unchecked, the server must refuse them.
    for (const body of [
      { accessRequestExpirationMinutes: 0 },
      { otpLength: 5 },
      { otpLength: 11 },
      { otpRequestIntervalMinutes: 1441 },
      { maxVerifyAttempts: 0 },
    ]) {
      const res = await t.send(routes.putSettings, { token: admin, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('audit', () => {
  it('records who did what, newest first, filterable by type', async () => {
    const admin = await t.adminToken();
    await t.enroll('AUDIT-PC');
    await t.updateSettings(admin, { otpLength: 9 });
    const audit = (query: { limit?: string; type?: string }) => t.api(admin)(routes.listAudit, { query });
    const events = await audit({ limit: '10' });
    expect(events.map((e) => e.type).slice(0, 3)).toEqual(['settings.changed', 'client.enrolled', 'admin.login']);
    expect(events[0]).toMatchObject({ actor: 'admin', detail: 'One-time password length: 8 → 9' });
    const enrolled = await audit({ type: 'client.enrolled' });
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]!.computerName).toBe('AUDIT-PC');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, ADMIN_PASSWORD, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

describe('roles', () => {
  it('lets helpdesk read and decide but not change settings or users; the user role cannot sign in', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    await t.createUser(admin, { login: 'uma', role: 'user' });
    const helpdesk = await t.adminToken('helen', 'helen-password-1');
    for (const url of ['/api/v1/admin/access-requests', '/api/v1/admin/sessions', '/api/v1/admin/clients', '/api/v1/admin/audit']) {
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(helpdesk) })).statusCode).toBe(200);
    }
    for (const [method, url, payload] of [
      ['GET', '/api/v1/admin/settings', undefined],
      ['PUT', '/api/v1/admin/settings', { otpLength: 6 }],
      ['GET', '/api/v1/admin/users', undefined],
      ['POST', '/api/v1/admin/users', { login: 'x', password: 'xxxxxxxxxxxx', email: 'x@corp.example.com', role: 'admin' }],
      ['DELETE', '/api/v1/admin/users/admin', undefined],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: bearer(helpdesk), ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const userLogin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { login: 'uma', password: 'uma-password-1' },
    });
    expect(userLogin.statusCode).toBe(403);
  });

  it('refuses admin routes without a token, and a Client token on them', async () => {
    t = await buildTestApp();
    const { clientToken } = await t.enroll();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(clientToken) })).statusCode).toBe(401);
  });

  it('does not delete or demote the last admin', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    const del = await t.app.inject({ method: 'DELETE', url: '/api/v1/admin/users/admin', headers: bearer(admin) });
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('last_admin');
    const demote = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/admin',
      headers: bearer(admin),
      payload: { role: 'helpdesk' },
    });
    expect(demote.json().error.code).toBe('last_admin');
  });
});

describe('sign-in', () => {
  it('gives the same answer for an unknown login and a wrong password, and locks after repeated failures', async () => {
    t = await buildTestApp();
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { login: 'admin', password: 'wrong-password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { login: 'ghost', password: 'wrong-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    for (let i = 0; i < 5; i++)
      await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login: 'admin', password: 'wrong-password' } });
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { login: 'admin', password: ADMIN_PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('login_locked');
    t = await t.restart();
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login: 'admin', password: ADMIN_PASSWORD } }))
        .statusCode,
    ).toBe(429);
    t.clock.advance(15 * 60_000);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login: 'admin', password: ADMIN_PASSWORD } }))
        .statusCode,
    ).toBe(200);
  });

  it('sets an httpOnly SameSite=Strict cookie that needs the CSRF token for changes, and expires after 20 idle minutes', async () => {
    t = await buildTestApp();
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login: 'admin', password: ADMIN_PASSWORD } });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = login.json();

    const read = await t.app.inject({ method: 'GET', url: '/api/v1/admin/settings', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const noCsrf = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/settings', headers: { cookie }, payload: { otpLength: 6 } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('csrf_failed');
    const withCsrf = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/settings',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { otpLength: 6 },
    });
    expect(withCsrf.statusCode).toBe(200);

    t.clock.advance(19 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: { cookie } })).statusCode).toBe(200);
    t.clock.advance(20 * 60_000 + 1);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('validates settings ranges', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    for (const payload of [
      { accessRequestExpirationMinutes: 0 },
      { otpLength: 5 },
      { otpLength: 11 },
      { otpRequestIntervalMinutes: 1441 },
      { maxVerifyAttempts: 0 },
    ]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/settings', headers: bearer(admin), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('audit', () => {
  it('records who did what, newest first, filterable by type', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    await t.enroll('AUDIT-PC');
    await t.updateSettings(admin, { otpLength: 9 });
    const events = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=10', headers: bearer(admin) })).json();
    expect(events.map((e: { type: string }) => e.type).slice(0, 3)).toEqual(['settings.changed', 'client.enrolled', 'admin.login']);
    expect(events[0]).toMatchObject({ actor: 'admin', detail: 'otpLength: 8 -> 9' });
    const enrolled = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?type=client.enrolled', headers: bearer(admin) })
    ).json();
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0].computerName).toBe('AUDIT-PC');
  });
});

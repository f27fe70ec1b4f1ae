import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, bearer, buildTestApp, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

const MINUTE = 60_000;

describe('Management Tool session age', () => {
  it('ends a session LATCHKEY_ADMIN_MAX_SESSION_SECONDS after sign-in even while it is polled', async () => {
    t = await buildTestApp({ env: { LATCHKEY_ADMIN_MAX_SESSION_SECONDS: '3600' } });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login: 'admin', password: ADMIN_PASSWORD } });
    const { token } = login.json();
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toMatch(/Max-Age=3600/);
    // A page that polls every minute never goes idle …
    for (let minute = 1; minute < 60; minute++) {
      t.clock.advance(MINUTE);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: { cookie } })).statusCode, `minute ${minute}`).toBe(
        200,
      );
    }
    // … and still ends an hour after sign-in, for the cookie and the bearer token alike.
    t.clock.advance(MINUTE);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: bearer(token) })).statusCode).toBe(401);
    // Signing in again starts a new session.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: bearer(await t.adminToken()) })).statusCode).toBe(200);
  });

  it('defaults to 12 hours', async () => {
    t = await buildTestApp();
    const token = await t.adminToken();
    const start = t.clock.now();
    const me = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/admin/me', headers: bearer(token) })).statusCode;
    while (t.clock.now() + 19 * MINUTE < start + 12 * 60 * MINUTE) {
      t.clock.advance(19 * MINUTE);
      expect(await me()).toBe(200);
    }
    t.clock.set(start + 12 * 60 * MINUTE);
    expect(await me()).toBe(401);
  });
});

import { describe, expect, it } from 'vitest';
import { createApiClient, routes } from '@latchkey/contracts';
import { injectFetch } from '@latchkey/test-support';
import { ADMIN_PASSWORD, useTestApp } from '../helper.js';

const MINUTE = 60_000;

describe('Management Tool session age', () => {
  describe('with LATCHKEY_ADMIN_MAX_SESSION_SECONDS=3600', () => {
    const t = useTestApp({ env: { LATCHKEY_ADMIN_MAX_SESSION_SECONDS: '3600' } });

    it('ends a session LATCHKEY_ADMIN_MAX_SESSION_SECONDS after sign-in even while it is polled', async () => {
      // The raw answer: its Set-Cookie header is what is under test.
      const login = await t.send(routes.adminLogin, { body: { login: 'admin', password: ADMIN_PASSWORD } });
      const { token } = login.json() as { token: string };
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/Max-Age=3600/);
      const cookie = setCookie.split(';')[0]!;
      // The typed client as the console calls it, with the session cookie.
      const byCookie = createApiClient({ baseUrl: '', fetch: injectFetch(t.app), headers: () => ({ cookie }) });
      // A page that polls every minute never goes idle …
      for (let minute = 1; minute < 60; minute++) {
        t.clock.advance(MINUTE);
        await expect(byCookie(routes.adminMe, {}), `minute ${minute}`).resolves.toBeDefined();
      }
      // … and still ends an hour after sign-in, for the cookie and the bearer token alike.
      t.clock.advance(MINUTE);
      await expect(byCookie(routes.adminMe, {})).rejects.toMatchObject({ status: 401 });
      await expect(t.api(token)(routes.adminMe, {})).rejects.toMatchObject({ status: 401 });
      // Signing in again starts a new session.
      await t.api(await t.adminToken())(routes.adminMe, {});
    });
  });

  describe('without it', () => {
    const t = useTestApp();

    it('defaults to 12 hours', async () => {
      const me = t.api(await t.adminToken());
      const start = t.clock.now();
      while (t.clock.now() + 19 * MINUTE < start + 12 * 60 * MINUTE) {
        t.clock.advance(19 * MINUTE);
        await me(routes.adminMe, {});
      }
      t.clock.set(start + 12 * 60 * MINUTE);
      await expect(me(routes.adminMe, {})).rejects.toMatchObject({ status: 401 });
    });
  });
});

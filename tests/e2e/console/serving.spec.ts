import { expect, test } from '../support/fixtures.ts';

test.describe('with the console built', () => {
  test('answers index.html uncached for every console path and caches hashed assets for a year', async ({ request, stack }) => {
    for (const path of ['/console', '/console/', '/console/users', '/console/some/deep/path']) {
      const res = await request.get(stack.baseUrl + path);
      expect(res.status(), path).toBe(200);
      expect(res.headers()['content-type']).toContain('text/html');
      expect(res.headers()['cache-control']).toBe('no-cache');
      expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
    }
    const html = await (await request.get(`${stack.baseUrl}/console/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/<style|style=/); // no inline style
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await request.get(stack.baseUrl + asset);
      expect(res.status(), asset).toBe(200);
      expect(res.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  test('answers 404 for a missing asset and refuses paths outside the build', async ({ request, stack }) => {
    const missing = await request.get(`${stack.baseUrl}/console/assets/missing-0000.js`);
    expect(missing.status()).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    const escape = await request.get(`${stack.baseUrl}/console/assets/..%2f..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(escape.status());
    expect(await escape.text()).not.toContain('"workspaces"');
  });
});

test.describe('without a console build', () => {
  test.use({ serverEnv: { LATCHKEY_CONSOLE_DIR: '/nonexistent/latchkey-console' } });

  test('answers 503 with a clear JSON error and keeps the API up', async ({ request, stack }) => {
    const res = await request.get(`${stack.baseUrl}/console/`);
    expect(res.status()).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.message).toContain('not built');
    expect((await request.get(`${stack.baseUrl}/api/v1/health`)).status()).toBe(200);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { demoRoutes, routes } from '@latchkey/contracts';
import { buildTestApp, type TestApp } from '../helper.js';

// A stand-in renderer build (the real one is exercised by the Playwright lock specs).
const dir = mkdtempSync(join(tmpdir(), 'latchkey-preview-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'preview.html'), '<!doctype html><title>preview</title>');
writeFileSync(join(dir, 'assets', 'preview-abc.js'), 'console.log(1)');
writeFileSync(join(dir, '.secret'), 'no');

let t: TestApp | undefined;
/** The preview on, serving the stand-in build: the folder comes through the configuration like every variable. */
const DEMO = { LATCHKEY_DEMO: '1', LATCHKEY_PREVIEW_DIR: dir };
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('lock preview (LATCHKEY_DEMO=1)', () => {
  it('is not there without LATCHKEY_DEMO', async () => {
    t = await buildTestApp();
    expect((await t.app.inject({ url: '/preview/lock' })).statusCode).toBe(404);
    await expect(t.api()(demoRoutes.previewSession, {})).rejects.toMatchObject({ status: 404 });
  });

  it('serves the page uncached under the strict CSP, and hashed assets for a year', async () => {
    t = await buildTestApp({ env: DEMO });
    const page = await t.app.inject({ url: '/preview/lock?computer=PC-1&user=CORP%5Calice' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = await t.app.inject({ url: '/preview/assets/preview-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const url of ['/preview/assets/../preview.html', '/preview/assets/%2e%2e/.secret', '/preview/assets/missing.js']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('enrolls one demo Client per computer name and hands its token to the page', async () => {
    t = await buildTestApp({ env: DEMO });
    // Raw: the test reads the Cache-Control header.
    const first = await t.send(demoRoutes.previewSession, { query: { computer: 'PC-DEMO-1', user: 'CORP\\alice' } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const body = first.json() as { clientToken: string; osUser: string; computerName: string };
    expect(body).toMatchObject({ osUser: 'CORP\\alice', computerName: 'PC-DEMO-1' });
    const again = await t.api()(demoRoutes.previewSession, { query: { computer: 'PC-DEMO-1', user: 'bob' } });
    expect(again.clientToken).toBe(body.clientToken);

    expect(await t.api(body.clientToken)(routes.getPolicy, {})).toMatchObject({ allowOneTimePasswords: true });
    const token = await t.adminToken();
    const clients = await t.api(token)(routes.listClients, {});
    expect(clients.filter((c) => c.computerName === 'PC-DEMO-1')).toHaveLength(1);
  });

  it('defaults the names and rejects odd ones', async () => {
    t = await buildTestApp({ env: DEMO });
    expect(await t.api()(demoRoutes.previewSession, {})).toMatchObject({ computerName: 'DEMO-PC', osUser: 'demo' });
    // Names the schema refuses, sent unchecked: the server must refuse them itself.
    const odd: Record<string, string>[] = [{ computer: '\nevil' }, { computer: 'x'.repeat(65) }, { user: 'a\u0000b' }, { other: '1' }];
    for (const query of odd) {
      const res = await t.send(demoRoutes.previewSession, { query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
  });

  it('answers 503 while the renderer is not built', async () => {
    t = await buildTestApp({ env: { ...DEMO, LATCHKEY_PREVIEW_DIR: join(dir, 'nowhere') } });
    const res = await t.app.inject({ url: '/preview/lock' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('service_unavailable');
  });
});

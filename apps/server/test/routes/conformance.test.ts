import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoutes, routes } from '@latchkey/contracts';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/**
 * Routes the server serves that are not API calls and so have no descriptor: the console's files and
 * the demo preview's page and assets. Everything else must come from a descriptor in contracts.
 */
const NOT_FROM_CONTRACTS = new Set(['GET /console', 'GET /console/*', 'GET /preview/lock', 'GET /preview/assets/*']);

/** With LATCHKEY_DEMO=1, as here, the demo's routes are registered too. */
const ALL = { ...routes, ...demoRoutes };

describe('the routes the app registers are exactly the contracts’ descriptors', () => {
  let app: FastifyInstance;
  let dataDir: string;
  const registered: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-routes-'));
    const config = loadConfig({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DEMO: '1', LATCHKEY_LOG_LEVEL: 'silent' });
    app = await buildApp({
      config,
      announce: () => {},
      onRoute: (route) => {
        for (const method of [route.method].flat()) if (method !== 'HEAD') registered.push(`${method} ${route.url}`);
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const described = Object.values(ALL).map((r) => `${r.method} ${r.url}`);

  it.each(Object.entries(ALL))('%s is registered', (_name, route) => {
    expect(registered).toContain(`${route.method} ${route.url}`);
  });

  it('nothing else is registered, except the static console and the demo preview page', () => {
    expect(registered.filter((r) => !described.includes(r) && !NOT_FROM_CONTRACTS.has(r))).toEqual([]);
  });

  it('each descriptor is registered once, and no two claim the same method and URL', () => {
    expect(new Set(described).size).toBe(described.length);
    expect(registered.filter((r) => described.includes(r)).sort()).toEqual([...described].sort());
  });
});

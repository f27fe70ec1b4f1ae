// The house rules ESLint enforces (CONTRIBUTING.md, "Lint rules"), proven by linting a line that
// breaks each one, as if it were in a real file of that layer. Run by `npm run lint`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// With CI=true typescript-eslint infers a single run and parses files from disk, not the text given
// here; these checks lint text that is not on disk, so they turn that inference off.
const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfig: { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } },
});

/** The rule ids ESLint reports for `code` placed at `filePath` (an existing file, so type-aware rules run). */
async function rulesBroken(filePath, code) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

const LOCK = 'apps/client/src/lock/messages.ts';
const CONTRACTS = 'packages/contracts/src/errors.ts';

test('src/lock imports no Electron, no Node module, no main/renderer code and no DOM global', async () => {
  assert.deepEqual(await rulesBroken(LOCK, "import { app } from 'electron';\nexport const a = app;\n"), ['no-restricted-imports']);
  assert.deepEqual(await rulesBroken(LOCK, "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await rulesBroken(LOCK, "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await rulesBroken(LOCK, "import { x } from '../main/lock-window.js';\nexport const y = x;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await rulesBroken(LOCK, 'export const t = document.title;\n'), ['no-restricted-globals']);
});

test('contracts import nothing from Node or Electron, and use no Node or DOM global', async () => {
  assert.deepEqual(await rulesBroken(CONTRACTS, "import { createHash } from 'node:crypto';\nexport const h = createHash;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await rulesBroken(CONTRACTS, "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n"), [
    'no-restricted-imports',
  ]);
  assert.deepEqual(await rulesBroken(CONTRACTS, 'export const b = Buffer.from("x");\n'), ['no-restricted-globals']);
  assert.deepEqual(
    await rulesBroken(CONTRACTS, "export { ErrorCodeSchema } from './http/common.js';\n"),
    [],
    'a relative ./http/ path is not the http module',
  );
});

test('console pages do not import each other', async () => {
  assert.deepEqual(
    await rulesBroken('apps/console/src/pages/audit.tsx', "import { Users } from './users.js';\nexport const u = Users;\n"),
    ['no-restricted-imports'],
  );
});

test('an un-awaited promise and an async function passed where a void callback is expected are errors', async () => {
  const file = 'apps/server/src/clock.ts';
  assert.deepEqual(await rulesBroken(file, 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n'), [
    '@typescript-eslint/no-floating-promises',
  ]);
  assert.deepEqual(await rulesBroken(file, 'export function g(xs: number[]): void {\n  xs.forEach(async () => {});\n}\n'), [
    '@typescript-eslint/no-misused-promises',
  ]);
});

// import-x/no-cycle skips `import type`, and the console rule above matches the import's text, so
// both the cycle check and the layer rules below walk every relative import, resolved to its file,
// types included.
const ROOT = new URL('..', import.meta.url).pathname;
const GRAPH_ROOTS = [
  'apps/server/src',
  'apps/client/src',
  'apps/console/src',
  'packages/contracts/src',
  'packages/i18n/src',
  'packages/test-support/src',
  'tests/e2e',
];

/** Every .ts/.tsx file under the roots → the files its relative imports and re-exports resolve to (paths from the repo root). */
async function importGraph() {
  const { readdirSync, readFileSync, existsSync, statSync } = await import('node:fs');
  const { join, dirname, resolve, relative } = await import('node:path');
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'dist') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  GRAPH_ROOTS.map((d) => join(ROOT, d)).forEach(walk);
  const resolveImport = (from, spec) => {
    const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
    return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((f) => existsSync(f));
  };
  const edges = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]);
    edges.set(
      relative(ROOT, file),
      specs
        .map((s) => resolveImport(file, s))
        .filter(Boolean)
        .map((f) => relative(ROOT, f)),
    );
  }
  return edges;
}

test('no import cycles in any package, type imports included', async () => {
  const edges = await importGraph();
  const state = new Map();
  const cycles = [];
  const visit = (file, stack) => {
    state.set(file, 'open');
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});

/**
 * The layers, by resolved path. Each rule: files matching `from` may not import files matching `to`
 * (unless `allow` says the pair is fine), with the reason. `$1` in `to` stands for what `from`'s
 * first group matched, so "a page imports no other page" is one rule.
 */
const LAYER_RULES = [
  {
    from: /^apps\/console\/src\/pages\/([^/.]+)/,
    to: /^apps\/console\/src\/pages\/(?!$1(?:[/.]|$))/,
    why: 'a console page imports no other page: move the shared part to components/ or data/',
  },
  {
    // app.tsx wires the console's session: it hands the CSRF token to api.ts and hears its 401s.
    from: /^apps\/console\/src\/(?!data\/|app\.tsx$)/,
    to: /^apps\/console\/src\/api\.ts$/,
    why: 'console pages and components only render and call hooks: the server is reached through data/',
  },
  {
    // app.ts and server.ts wire the layers; types.ts declares what the plugins decorate the app with.
    from: /^apps\/server\/src\/(?!routes\/|plugins\/|app\.ts$|server\.ts$|types\.ts$)/,
    to: /^apps\/server\/src\/((routes|plugins)\/|app-error\.ts$)/,
    why: 'server stores and services know no HTTP: they return a refusal (src/refusal.ts) that routes map; routes and plugins call them, never the other way',
  },
  {
    from: /^apps\/client\/src\/renderer\//,
    to: /^apps\/client\/src\/(main|guard)\//,
    why: 'the renderer reaches main only through the preload bridge',
  },
  {
    from: /^apps\/client\/src\/(main|preload|guard)\//,
    to: /^apps\/client\/src\/renderer\//,
    why: 'main, preload and the guard do not import the renderer',
  },
  {
    from: /^apps\/client\/src\/lock\//,
    to: /^apps\/client\/src\/(main|renderer|preload|guard)\//,
    why: 'the lock controller is plain TypeScript: no windows, views or SYSTEM code',
  },
  {
    from: /^apps\/client\/src\/guard\//,
    to: /^apps\/client\/src\/(renderer|preload)\//,
    why: 'the guard runs as SYSTEM with no window',
  },
];

function layerViolations(edges) {
  const found = [];
  for (const [file, imports] of edges) {
    for (const rule of LAYER_RULES) {
      const m = rule.from.exec(file);
      if (!m) continue;
      const to = new RegExp(rule.to.source.replace('$1', (m[1] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      for (const target of imports) if (to.test(target)) found.push(`${file} → ${target}: ${rule.why}`);
    }
  }
  return found;
}

test('each layer rule fires on an import that breaks it, and not on its allowed neighbours', () => {
  const broken = new Map([
    ['apps/console/src/pages/audit.tsx', ['apps/console/src/pages/users/index.tsx']],
    ['apps/console/src/pages/users/list.tsx', ['apps/console/src/pages/settings.tsx']],
    ['apps/console/src/pages/clients.tsx', ['apps/console/src/api.ts']],
    ['apps/console/src/pages/users/delete-user.tsx', ['apps/console/src/api.ts']],
    ['apps/console/src/components/server-key.tsx', ['apps/console/src/api.ts']],
    ['apps/console/src/shell.tsx', ['apps/console/src/api.ts']],
    ['apps/server/src/otp/request-store.ts', ['apps/server/src/routes/otp/index.ts']],
    ['apps/server/src/sessions/session-store.ts', ['apps/server/src/plugins/services.ts']],
    ['apps/server/src/users/user-service.ts', ['apps/server/src/app-error.ts']],
    ['apps/client/src/renderer/lock-view.ts', ['apps/client/src/main/main.ts']],
    ['apps/client/src/main/main.ts', ['apps/client/src/renderer/lock-view.ts']],
    ['apps/client/src/lock/lock-controller.ts', ['apps/client/src/guard/guard.ts']],
    ['apps/client/src/guard/guard.ts', ['apps/client/src/preload/bridge.ts']],
  ]);
  assert.equal(layerViolations(broken).length, broken.size);
  const fine = new Map([
    ['apps/console/src/pages/users/list.tsx', ['apps/console/src/pages/users/form.tsx', 'apps/console/src/components/data-table.tsx']],
    ['apps/console/src/pages/audit.tsx', ['apps/console/src/data/use-async.ts', 'apps/console/src/data/audit.ts']],
    ['apps/console/src/data/users.ts', ['apps/console/src/api.ts']],
    ['apps/console/src/app.tsx', ['apps/console/src/api.ts', 'apps/console/src/data/auth.ts']],
    ['apps/server/src/routes/otp/index.ts', ['apps/server/src/otp/request-store.ts', 'apps/server/src/routes/route-options.ts']],
    ['apps/server/src/app.ts', ['apps/server/src/plugins/services.ts']],
    ['apps/server/src/routes/refusals.ts', ['apps/server/src/app-error.ts', 'apps/server/src/refusal.ts']],
    ['apps/client/src/renderer/lock-view.ts', ['apps/client/src/preload/bridge.ts', 'apps/client/src/lock/messages.ts']],
  ]);
  assert.deepEqual(layerViolations(fine), []);
});

test('the code keeps its layers (resolved imports, types included)', async () => {
  assert.deepEqual(layerViolations(await importGraph()), []);
});

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

// import-x/no-cycle skips `import type`, but a type cycle still ties two modules together (the
// console's app ⇄ shell was one), so this walks every relative import, types included.
test('no import cycles in any package, type imports included', async () => {
  const { readdirSync, readFileSync, existsSync, statSync } = await import('node:fs');
  const { join, dirname, resolve } = await import('node:path');
  const root = new URL('..', import.meta.url).pathname;
  const roots = [
    'apps/server/src',
    'apps/client/src',
    'apps/console/src',
    'packages/contracts/src',
    'packages/test-support/src',
    'tests/e2e',
  ].map((d) => join(root, d));
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'dist') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  roots.forEach(walk);
  const resolveImport = (from, spec) => {
    const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
    return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
  };
  const edges = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]);
    edges.set(file, specs.map((s) => resolveImport(file, s)).filter(Boolean));
  }
  const state = new Map();
  const cycles = [];
  const visit = (file, stack) => {
    state.set(file, 'open');
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => f.slice(root.length)).join(' → '));
      else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

const TS_PROJECTS = [
  './apps/server/tsconfig.json',
  './apps/client/tsconfig.main.json',
  './apps/client/tsconfig.renderer.json',
  './apps/client/tsconfig.test.json',
  './apps/console/tsconfig.json',
  './packages/contracts/tsconfig.json',
  './packages/contracts/tsconfig.test.json',
  './packages/i18n/tsconfig.json',
  './packages/i18n/tsconfig.test.json',
  './packages/test-support/tsconfig.json',
  './tests/e2e/tsconfig.json',
];

/** Imports a layer may not make; each rule says why. */
const forbid = (message, ...group) => ({ group, message });
const NODE_BUILTINS = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'url', 'events'];
/** Node's modules, bare (`fs`, matched exactly, so `./http/x.js` stays allowed) and `node:`-prefixed. */
const noNode = (message) => ({
  paths: NODE_BUILTINS.map((name) => ({ name, message })),
  patterns: [forbid(message, 'node:*')],
});

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '**/test-results/**', '**/playwright-report/**', '.turbo/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // A cycle makes load order matter and hides a missing module; break it with a new module.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // Type-aware rules: a promise nobody awaits loses its error; an async callback where a sync one is
  // expected (an event handler, a forEach) runs unobserved.
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { project: TS_PROJECTS, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  // Layering. The lock controller runs under Node tests and in the browser: no Electron, no DOM, no Node.
  {
    files: ['apps/client/src/lock/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNode('src/lock runs in the browser too: no Node modules (inject them)').paths,
          patterns: [
            ...noNode('src/lock runs in the browser too: no Node modules (inject them)').patterns,
            forbid('src/lock is plain TypeScript: Electron belongs in src/main', 'electron', 'electron/*'),
            forbid('src/lock knows no windows or views', '**/main/**', '**/renderer/**', '**/preload/**'),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'navigator'],
    },
  },
  // Contracts and the catalogues are shared by Node, the browser and Electron: they import nothing from any of them.
  {
    files: ['packages/contracts/src/**', 'packages/i18n/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNode('contracts import nothing from Node').paths,
          patterns: [
            ...noNode('contracts import nothing from Node').patterns,
            forbid('contracts import nothing from Electron', 'electron', 'electron/*'),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'navigator', 'process', 'Buffer'],
    },
  },
  // Console pages do not import each other: shared parts go to components/ or data/ (the server's data, by domain).
  {
    files: ['apps/console/src/pages/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [forbid('a page imports no other page: move the shared part to components/', './*', '../pages/*')] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);

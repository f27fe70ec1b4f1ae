// The server's store and integration suites a second time, on PostgreSQL (issue 20: one source, two
// engines). test/support/engine-setup.ts starts one real cluster for the run; each test app gets a
// database of its own. Suites whose subject is not the storage (directory servers, processes killed
// on SQLite files, crypto, configuration) run once, in the SQLite pass.
import { spawnSync } from 'node:child_process';

if (process.env.LATCHKEY_TEST_SKIP_POSTGRES === '1') {
  console.log('test:postgres skipped (LATCHKEY_TEST_SKIP_POSTGRES=1, npm run test:fast): npm test runs it');
  process.exit(0);
}
const SUITES = [
  'test/otp',
  'test/routes',
  'test/helpdesk',
  'test/offline',
  'test/activity',
  'test/users',
  'test/settings',
  'test/security',
  'test/audit',
  'test/mail',
  'test/attack/unicode-spoofing.test.ts',
  'test/attack/sign-in-budgets.test.ts',
  'test/attack/smaller-holes.test.ts',
  'test/operations/health.test.ts',
  'test/operations/metrics.test.ts',
  'test/operations/node-identity.test.ts',
  'test/operations/syslog.test.ts',
];
const run = spawnSync('npx', ['vitest', 'run', ...SUITES], {
  stdio: 'inherit',
  env: { ...process.env, LATCHKEY_TEST_ENGINE: 'postgres' },
});
process.exit(run.status ?? 1);

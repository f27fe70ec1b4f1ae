// The server's store and integration suites a second time, on PostgreSQL (issue 20: one source, two
// engines). test/support/engine-setup.ts starts one real cluster for the run; each test app gets a
// database of its own. Suites whose subject is not the storage (directory servers, processes killed
// on SQLite files, crypto, configuration, mail languages, per-node rate limits, the preview) run once,
// in the SQLite pass; so do the ones that run both engines themselves (describe.each(ENGINES)) and
// test/multinode (two nodes on a cluster of their own).
import { spawnSync } from 'node:child_process';

if (process.env.LATCHKEY_TEST_SKIP_POSTGRES === '1') {
  console.log('test:postgres skipped (LATCHKEY_TEST_SKIP_POSTGRES=1, npm run test:fast): npm test runs it');
  process.exit(0);
}
const SUITES = [
  'test/otp',
  'test/routes/otp/lock-flow.test.ts',
  'test/routes/client/verdicts.test.ts',
  'test/routes/conformance.test.ts',
  'test/helpdesk',
  'test/offline',
  'test/activity',
  'test/settings',
  'test/security/admin-access.test.ts',
  'test/security/admin-session-age.test.ts',
  'test/security/client-removal.test.ts',
  'test/security/client-roles.test.ts',
  'test/security/guard-authority.test.ts',
  'test/security/input-validation.test.ts',
  'test/security/secrets-at-rest.test.ts',
  'test/security/union-body-text.test.ts',
  'test/mail/mail-queue.test.ts',
  'test/attack/unicode-spoofing.test.ts',
  'test/attack/sign-in-budgets.test.ts',
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

// `npm run bench` with PostgreSQL beside SQLite, on a throwaway cluster of this machine: Debian's
// PostgreSQL 15 started by test-support (initdb in a temp dir, a free loopback port, stopped at the
// end), durable like the SQLite runs (fsync on, synchronous_commit on), one empty database. Then
// bench/run.mjs with BENCH_DATABASE_URL pointing at it. Run after a build (`npm run bench` builds):
//   node bench/with-postgres.mjs
// To measure another PostgreSQL (a real server, a standby), set BENCH_DATABASE_URL and run
// bench/run.mjs yourself.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { postgresSkipReason, startPostgres } from '@latchkey/test-support';

const reason = postgresSkipReason();
if (reason) {
  console.error(`bench/with-postgres.mjs: ${reason}`);
  process.exit(1);
}
const cluster = await startPostgres({ durable: true });
let code;
try {
  const url = cluster.createDatabase('latchkey_bench');
  const run = spawn(process.execPath, [fileURLToPath(new URL('run.mjs', import.meta.url))], {
    env: { ...process.env, BENCH_DATABASE_URL: url },
    stdio: 'inherit',
  });
  code = await new Promise((resolve) => run.once('exit', (status) => resolve(status ?? 1)));
} finally {
  await cluster.stop();
}
process.exit(code);

// How long backup and restore take for a database with a year of history (1,000,000 OTP requests,
// 1,000,000 sessions, 1,000,000 audit events), and how long the server then needs to answer health.
// Run from the repository root after a build: node bench/restore.mjs  (BENCH_HISTORY_ROWS to change the size).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preload } from './lib/preload.mjs';
import { startNodeProcess } from '@latchkey/test-support';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const SERVER = join(ROOT, 'apps/server/dist/server.js');
const env = {
  LATCHKEY_ADMIN_PASSWORD: 'bench-admin-password',
  LATCHKEY_ENROLLMENT_KEY: 'bench-enrollment-key-0001',
  LATCHKEY_LOG_LEVEL: 'warn',
  LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
};

/** The built server on `dataDir`, once it answers health (a year of history takes a while to open). */
const startServer = (dataDir) =>
  startNodeProcess({
    entry: SERVER,
    env: { ...env, LATCHKEY_DATA_DIR: dataDir },
    cwd: ROOT,
    healthPath: '/api/v1/health',
    startTimeoutMs: 30_000,
  });

const work = mkdtempSync(join(tmpdir(), 'latchkey-restore-bench-'));
const seconds = (from) => Math.round((performance.now() - from) / 100) / 10;
const timed = (name, args, dataDir) => {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(ROOT, `apps/server/dist/cli/${name}.js`), ...args], {
    env: { PATH: process.env.PATH, LATCHKEY_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${name} failed: ${run.stdout}${run.stderr}`);
  return seconds(started);
};

try {
  const source = join(work, 'source');
  const server = await startServer(source);
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${server.baseUrl}/api/v1/clients/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentKey: env.LATCHKEY_ENROLLMENT_KEY, computerName: `PC-${i}` }),
    });
    if (res.status !== 201) throw new Error(`enroll answered ${res.status}`);
  }
  await server.stop();
  let started = performance.now();
  preload(join(source, 'latchkey.db'), { requests: ROWS, sessions: ROWS, auditEvents: ROWS });
  console.log(`history of ${ROWS.toLocaleString('en')} requests, sessions and audit events loaded in ${seconds(started)} s`);

  const again = await startServer(source);
  const backupFile = join(work, 'backup.db');
  const backupSeconds = timed('backup', ['--to', backupFile], source); // while the server runs
  await again.stop();

  const target = join(work, 'target');
  mkdirSync(target, { mode: 0o700 });
  // The keys of the same data dir: a server refuses a database first used with other keys.
  for (const key of ['secret.key', 'signing.key']) copyFileSync(join(source, key), join(target, key));
  const restoreSeconds = timed('restore', ['--from', backupFile], target);
  started = performance.now();
  const restored = await startServer(target);
  const startSeconds = seconds(started);
  await restored.stop();

  const result = {
    rows: ROWS * 3,
    databaseBytes: statSync(backupFile).size,
    backupSeconds,
    restoreSeconds,
    firstStartSeconds: startSeconds,
    totalSeconds: Math.round((restoreSeconds + startSeconds) * 10) / 10,
  };
  console.log(JSON.stringify(result));
} finally {
  rmSync(work, { recursive: true, force: true });
}

// A/B of the verify hot path between two builds of the server (e.g. a worktree of the first release
// and this one): both servers run at once, each with its own data dir, the same Clients and OTPs,
// and their verify bursts alternate, so that drift in the machine's load falls on both alike.
//   node bench/ab-verify.mjs A=/path/a/apps/server/dist/server.js:no-nonce B=/path/b/apps/server/dist/server.js
// Each verify carries a fresh nonce (required since v1.2); ":no-nonce" leaves it out, for a first-release
// build that refuses the field. BENCH_AB_ROUNDS (6),
// BENCH_AB_VERIFIES (2000 per burst), BENCH_AB_CLIENTS (500), BENCH_AB_HISTORY_ROWS (0: with N, each
// server's database gets N past requests, sessions and audit events from its own bench/lib/preload.mjs
// after enrollment, as in `npm run bench`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createHttp, runPool } from './lib/load.mjs';
import { nonce } from './lib/nonce.mjs';
import { startNodeProcess, startSmtpSink } from '@latchkey/test-support';

const env = (n, d) => Number(process.env[n] ?? d);
const ROUNDS = env('BENCH_AB_ROUNDS', 6);
const VERIFIES = env('BENCH_AB_VERIFIES', 2000);
const CLIENTS = env('BENCH_AB_CLIENTS', 500);
const CONNECTIONS = 50;
const HISTORY_ROWS = env('BENCH_AB_HISTORY_ROWS', 0);
const KEY = 'bench-enrollment-key-000001';

const args = process.argv.slice(2);
if (args.length < 2 || args.some((arg) => !/^\w+=.+/.test(arg))) {
  console.error('usage: node bench/ab-verify.mjs A=<repo>/apps/server/dist/server.js B=<repo>/apps/server/dist/server.js[:no-nonce] …');
  process.exit(2);
}
const builds = args.map((arg) => {
  const [label, rest] = arg.split('=');
  const [entry, flag] = rest.split(':');
  return { label, entry: resolve(entry), nonce: flag !== 'no-nonce' };
});

const expect = (res, status, what) => {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

function startProcess(b, sink) {
  return startNodeProcess({
    entry: b.entry,
    cwd: resolve(b.entry, '../../../..'),
    healthPath: '/api/v1/health',
    startTimeoutMs: 60_000,
    nodeArgs: (process.env[`BENCH_AB_NODE_ARGS_${b.label}`] ?? '').split(' ').filter(Boolean),
    env: {
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: b.dir,
      LATCHKEY_SMTP_URL: sink.url,
      LATCHKEY_ADMIN_PASSWORD: 'bench-admin-password',
      LATCHKEY_ADMIN_EMAIL: 'admin@corp.example.com',
      LATCHKEY_ENROLLMENT_KEY: KEY,
      LATCHKEY_LOG_LEVEL: 'warn',
      LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
      LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '1000000',
    },
  });
}

async function start(b, sink) {
  b.dir = mkdtempSync(join(tmpdir(), `latchkey-ab-${b.label}-`));
  b.server = await startProcess(b, sink);
  b.http = createHttp(b.server.baseUrl, CONNECTIONS);
  b.clients = new Array(CLIENTS);
  await runPool(CLIENTS, CONNECTIONS, async (i) => {
    b.clients[i] = expect(
      await b.http.call('POST', '/api/v1/clients/enroll', { body: { enrollmentKey: KEY, computerName: `PC-${i}` } }),
      201,
      'enroll',
    );
  });
  if (HISTORY_ROWS > 0) {
    await b.http.close();
    await b.server.stop();
    const { preload } = await import(pathToFileURL(resolve(b.entry, '../../../../bench/lib/preload.mjs')).href);
    preload(join(b.dir, 'latchkey.db'), { requests: HISTORY_ROWS, sessions: HISTORY_ROWS, auditEvents: HISTORY_ROWS });
    b.server = await startProcess(b, sink);
    b.http = createHttp(b.server.baseUrl, CONNECTIONS);
  }
  b.admin = expect(
    await b.http.call('POST', '/api/v1/admin/login', { body: { login: 'admin', password: 'bench-admin-password' } }),
    200,
    'login',
  ).token;
  b.results = [];
}

async function prepare(b, sink, round) {
  const jobs = Array.from({ length: VERIFIES }, (_, j) => {
    const i = j % CLIENTS;
    return { i, osUser: `CORP\\u${j}`, email: `${b.label}.${round}.${j}@corp.example.com` };
  });
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const { i, osUser, email } = jobs[j];
    expect(
      await b.http.call('POST', '/api/v1/admin/otp', { token: b.admin, body: { clientId: b.clients[i].clientId, osUser, email } }),
      201,
      'generate',
    );
  });
  for (const job of jobs) job.otp = await sink.nextCode(job.email, 120_000);
  return jobs;
}

async function burst(b, jobs) {
  const cpu0 = b.server.cpuSeconds();
  const t0 = performance.now();
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const { i, osUser, email, otp } = jobs[j];
    const body = { osUser, email, otp };
    if (b.nonce) body.nonce = nonce();
    expect(await b.http.call('POST', '/api/v1/otp/verify', { token: b.clients[i].clientToken, body }), 200, 'verify');
  });
  const s = (performance.now() - t0) / 1000;
  const cpu = b.server.cpuSeconds() - cpu0;
  return { perSecond: jobs.length / s, cpuMsPer: (cpu * 1000) / jobs.length };
}

const sink = await startSmtpSink();
try {
  for (const b of builds) await start(b, sink);
  // Stay under the per-Client verify budget (60 a minute): 2000 verifies over 500 Clients is 4 each per round.
  // With BENCH_AB_PREPARE_FIRST=1 every OTP is generated and mailed before the first burst, so that
  // the end of a server's CPU profile (--cpu-prof) is its verify bursts alone.
  const prepareFirst = process.env.BENCH_AB_PREPARE_FIRST === '1';
  const preparedAll = [];
  if (prepareFirst) for (let r = 0; r < ROUNDS; r++) for (const b of builds) preparedAll.push([r, b, await prepare(b, sink, r)]);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    const prepared = [];
    for (const b of order) {
      prepared.push([b, prepareFirst ? preparedAll.find(([pr, pb]) => pr === r && pb === b)[2] : await prepare(b, sink, r)]);
    }
    for (const [b, jobs] of prepared) {
      const res = await burst(b, jobs);
      b.results.push(res);
      console.log(`round ${r + 1} ${b.label}: ${res.perSecond.toFixed(0)} verify/s, ${res.cpuMsPer.toFixed(3)} server CPU ms per verify`);
    }
  }
  const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const b of builds) {
    const ps = b.results.slice(1).map((x) => x.perSecond); // round 1 warms up
    const cs = b.results.slice(1).map((x) => x.cpuMsPer);
    console.log(
      `${b.label}: verify/s mean ${mean(ps).toFixed(0)} median ${median(ps).toFixed(0)}; CPU ms/verify mean ${mean(cs).toFixed(3)} median ${median(cs).toFixed(3)}`,
    );
  }
} finally {
  for (const b of builds) {
    await b.http?.close();
    await b.server?.stop();
    if (b.dir) rmSync(b.dir, { recursive: true, force: true });
  }
  await sink.stop();
}

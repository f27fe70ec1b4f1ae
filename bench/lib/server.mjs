// The servers the benchmark measures: the built Latchkey server and a bare Fastify route, each its own
// process started through test-support, and the Clients and users a run needs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execSync } from 'node:child_process';
import { routes } from '@latchkey/contracts';
import { startNodeProcess, writeSharedNodeFiles } from '@latchkey/test-support';
import { createHttp, runFor, runPool } from './load.mjs';
import { callRoute } from './api.mjs';
import {
  ADMIN_PASSWORD,
  BARE_SECONDS,
  CLIENTS,
  CONNECTIONS,
  ENROLLMENT_KEY,
  HELPDESK_PASSWORD,
  METRICS_TOKEN,
  RATE_LIMIT_ENV,
  expect,
  round,
} from './settings.mjs';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SERVER_ENTRY = join(REPO_ROOT, 'apps/server/dist/server.js');
const BARE_ENTRY = join(REPO_ROOT, 'bench/bare-server.mjs');

export function machine() {
  const c = cpus();
  let disk;
  try {
    disk = execSync(`df -h --output=source,fstype,size ${tmpdir()} | tail -1`, { encoding: 'utf8' }).trim();
  } catch {
    disk = 'unknown';
  }
  return {
    cpu: `${c.length} × ${c[0]?.model ?? 'unknown'}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: release(),
    disk,
  };
}

/** Resident memory of a process, from /proc (Linux). */
function rssOf(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN) * 1024;
}

export async function startServer(dataDir, smtpUrl, extraEnv = {}) {
  const server = await startNodeProcess({
    entry: SERVER_ENTRY,
    cwd: REPO_ROOT,
    healthPath: '/api/v1/health',
    // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
    nodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    env: {
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_SMTP_URL: smtpUrl,
      LATCHKEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LATCHKEY_ADMIN_EMAIL: 'admin@corp.example.com',
      LATCHKEY_ENROLLMENT_KEY: ENROLLMENT_KEY,
      // One log line per request would measure the terminal, not the server.
      LATCHKEY_LOG_LEVEL: 'warn',
      LATCHKEY_METRICS_TOKEN: METRICS_TOKEN,
      ...RATE_LIMIT_ENV,
      ...extraEnv,
    },
  });
  return Object.assign(server, { rssBytes: () => rssOf(server.pid) });
}

/** The files every node on one database shares, made once per database for the whole run (see writeSharedNodeFiles). */
const keyFiles = new Map();
function sharedFiles(databaseUrl) {
  let files = keyFiles.get(databaseUrl);
  if (!files) {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-keys-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    files = writeSharedNodeFiles(dir, databaseUrl);
    keyFiles.set(databaseUrl, files);
  }
  return files;
}

/**
 * `count` nodes on the PostgreSQL database `databaseUrl` (BENCH_DATABASE_URL), each its own process
 * and data dir, sharing the key files as a real deployment does (docs/operations.md, High
 * availability). Answers one object the scenarios use like a single server: `baseUrl` is every
 * node's (the load is spread round-robin), CPU and memory are the nodes' sums.
 */
export async function startNodes(count, databaseUrl, smtpUrl) {
  const files = sharedFiles(databaseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-nodes-'));
  const nodes = [];
  try {
    // One after another: the first creates the schema (the others would wait on its lock anyway).
    for (let i = 0; i < count; i++) {
      const dataDir = join(dir, `node${i + 1}`);
      mkdirSync(dataDir);
      nodes.push(
        await startServer(dataDir, smtpUrl, {
          ...files,
          LATCHKEY_NODE_NAME: `bench-node${i + 1}`,
        }),
      );
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    baseUrl: nodes.map((node) => node.baseUrl),
    nodes: nodes.length,
    /** What the nodes printed, each line as it came. */
    output: () => nodes.flatMap((node) => node.output),
    cpuSeconds: () => nodes.reduce((sum, node) => sum + node.cpuSeconds(), 0),
    rssBytes: () => nodes.reduce((sum, node) => sum + node.rssBytes(), 0),
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function measureBare() {
  const bare = await startNodeProcess({ entry: BARE_ENTRY, cwd: REPO_ROOT, healthPath: '/hello', env: {}, startTimeoutMs: 30_000 });
  const http = createHttp(bare.baseUrl, CONNECTIONS);
  try {
    await runFor(1000, CONNECTIONS, () => http.call('GET', '/hello')); // warm-up
    const started = performance.now();
    const n = await runFor(BARE_SECONDS * 1000, CONNECTIONS, async () => {
      const res = await http.call('GET', '/hello');
      if (res.status !== 200) throw new Error(`bare route answered ${res.status}`);
    });
    return n / ((performance.now() - started) / 1000);
  } finally {
    await http.close();
    await bare.stop();
  }
}

/** Enrolls the Clients and creates the helpdesk user whose token generates the OTPs. */
export async function setUp(http) {
  const clients = new Array(CLIENTS);
  await runPool(CLIENTS, CONNECTIONS, async (i) => {
    const res = await callRoute(http, routes.enroll, {
      body: { enrollmentKey: ENROLLMENT_KEY, computerName: `PC-${String(i).padStart(5, '0')}` },
    });
    clients[i] = expect(res, 201, 'enroll');
  });
  const admin = expect(
    await callRoute(http, routes.adminLogin, { body: { login: 'admin', password: ADMIN_PASSWORD } }),
    200,
    'admin login',
  );
  expect(
    await callRoute(http, routes.createUser, {
      token: admin.token,
      body: { login: 'helpdesk', password: HELPDESK_PASSWORD, email: 'helpdesk@corp.example.com', role: 'helpdesk' },
    }),
    201,
    'create helpdesk',
  );
  return { clients };
}

export async function helpdeskToken(http) {
  const res = await callRoute(http, routes.adminLogin, { body: { login: 'helpdesk', password: HELPDESK_PASSWORD } });
  return expect(res, 200, 'helpdesk login').token;
}

export function dbBytes(dataDir) {
  return ['latchkey.db', 'latchkey.db-wal'].reduce((sum, f) => {
    const p = join(dataDir, f);
    return sum + (existsSync(p) ? statSync(p).size : 0);
  }, 0);
}

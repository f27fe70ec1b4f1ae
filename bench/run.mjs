// Latchkey logon-storm benchmark. Run from the repository root with `npm run bench` (it builds the
// server first). Everything runs on this machine: the built server as its own process on a temp data
// dir, a real SMTP server on loopback, and the load from this process (50 keep-alive connections).
// The last line printed is one JSON object with the headline figures.
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, release } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execSync } from 'node:child_process';
import { createHttp, Latencies, runFor, runPool } from './lib/load.mjs';
import { nonce } from './lib/nonce.mjs';
import { startNodeProcess, startSmtpSink } from '@latchkey/test-support';
import { preload } from './lib/preload.mjs';
import { measureCommitsPerSecond } from './lib/fsync.mjs';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SERVER_ENTRY = join(REPO_ROOT, 'apps/server/dist/server.js');
const BARE_ENTRY = join(REPO_ROOT, 'bench/bare-server.mjs');

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CLIENTS = env('BENCH_CLIENTS', 2000);
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const HISTORY_ROWS = env('BENCH_HISTORY_ROWS', 1_000_000);
const OTPS_PER_CLIENT = env('BENCH_OTPS_PER_CLIENT', 4);
const HEARTBEATS = env('BENCH_HEARTBEATS', 3);
const BARE_SECONDS = env('BENCH_BARE_SECONDS', 8);

// Rate limits stay on. Only the two budgets a single load generator exhausts by design are raised,
// through the documented variables: enrollment of 2,000 Clients from one address, and one helpdesk
// user generating every OTP. The per-Client limit keeps its default (60 a minute).
const RATE_LIMIT_ENV = {
  LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
  LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '1000000',
};
const ADMIN_PASSWORD = 'bench-admin-password';
const HELPDESK_PASSWORD = 'bench-helpdesk-password';
const ENROLLMENT_KEY = 'bench-enrollment-key-000001';
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const EVENTS_PER_BATCH = env('BENCH_EVENTS_PER_BATCH', 10);
const METRICS_SCRAPES = env('BENCH_METRICS_SCRAPES', 200);

const log = (line) => console.log(line);
const mib = (bytes) => round(bytes / 2 ** 20, 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, digits = 0) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function machine() {
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

async function startServer(dataDir, smtpUrl) {
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
    },
  });
  return Object.assign(server, { rssBytes: () => rssOf(server.pid) });
}

async function measureBare() {
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
async function setUp(http) {
  const clients = new Array(CLIENTS);
  await runPool(CLIENTS, CONNECTIONS, async (i) => {
    const res = await http.call('POST', '/api/v1/clients/enroll', {
      body: { enrollmentKey: ENROLLMENT_KEY, computerName: `PC-${String(i).padStart(5, '0')}` },
    });
    clients[i] = expect(res, 201, 'enroll');
  });
  const admin = expect(
    await http.call('POST', '/api/v1/admin/login', { body: { login: 'admin', password: ADMIN_PASSWORD } }),
    200,
    'admin login',
  );
  expect(
    await http.call('POST', '/api/v1/admin/users', {
      token: admin.token,
      body: { login: 'helpdesk', password: HELPDESK_PASSWORD, email: 'helpdesk@corp.example.com', role: 'helpdesk' },
    }),
    201,
    'create helpdesk',
  );
  return { clients };
}

async function helpdeskToken(http) {
  const res = await http.call('POST', '/api/v1/admin/login', { body: { login: 'helpdesk', password: HELPDESK_PASSWORD } });
  return expect(res, 200, 'helpdesk login').token;
}

/**
 * The 9 a.m. storm: every Client logs on once, 50 at a time. A logon is the Client reading its policy,
 * the helpdesk generating the OTP (mailed by the server's queue), the code read from the received
 * mail, the verification, then heartbeats of the new session.
 */
async function storm(http, sink, server, clients, helpdesk, run) {
  const lat = {
    policy: new Latencies(),
    generate: new Latencies(),
    mail: new Latencies(),
    verify: new Latencies(),
    heartbeat: new Latencies(),
    logon: new Latencies(),
  };
  const cpu0 = server.cpuSeconds();
  const started = performance.now();
  await runPool(clients.length, CONNECTIONS, async (i) => {
    const { clientId, clientToken } = clients[i];
    const osUser = `CORP\\user${i}`;
    const email = `user${i}.${run}@corp.example.com`;
    const t0 = performance.now();
    const policy = await http.call('GET', '/api/v1/client/policy', { token: clientToken });
    expect(policy, 200, 'policy');
    lat.policy.add(policy.ms);
    const gen = await http.call('POST', '/api/v1/admin/otp', { token: helpdesk, body: { clientId, osUser, email } });
    expect(gen, 201, 'generate');
    lat.generate.add(gen.ms);
    const mailStarted = performance.now();
    const otp = await sink.nextCode(email);
    lat.mail.add(performance.now() - mailStarted);
    const verify = await http.call('POST', '/api/v1/otp/verify', { token: clientToken, body: { osUser, email, otp, nonce: nonce() } });
    const { sessionId } = expect(verify, 200, 'verify');
    lat.verify.add(verify.ms);
    lat.logon.add(performance.now() - t0);
    for (let h = 0; h < HEARTBEATS; h++) {
      const hb = await http.call('POST', `/api/v1/sessions/${sessionId}/heartbeat`, { token: clientToken });
      expect(hb, 204, 'heartbeat');
      lat.heartbeat.add(hb.ms);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, logonsPerSecond: clients.length / seconds, lat, serverCpu: (server.cpuSeconds() - cpu0) / seconds };
}

/**
 * Verification at saturation: OTPS_PER_CLIENT codes per Client are generated (and the mail drain is
 * timed), then all of them are verified by 50 connections back to back.
 */
async function verifyBurst(http, sink, server, clients, helpdesk, run) {
  const jobs = [];
  for (let k = 0; k < OTPS_PER_CLIENT; k++) {
    for (let i = 0; i < clients.length; i++) jobs.push({ i, osUser: `CORP\\burst${i}`, email: `burst${i}.${run}@corp.example.com` });
  }
  sink.resetStats();
  const genLat = new Latencies();
  const genStarted = performance.now();
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const job = jobs[j];
    const res = await http.call('POST', '/api/v1/admin/otp', {
      token: helpdesk,
      body: { clientId: clients[job.i].clientId, osUser: job.osUser, email: job.email },
    });
    expect(res, 201, 'generate');
    genLat.add(res.ms);
  });
  const genSeconds = (performance.now() - genStarted) / 1000;
  const backlogAfterGenerate = jobs.length - sink.stats.received;
  for (const job of jobs) job.otp = await sink.nextCode(job.email, 120_000);
  const mailSeconds = (sink.stats.lastAt - genStarted) / 1000;

  // Shuffle so that connections do not march through one Client's codes in order.
  for (let j = jobs.length - 1; j > 0; j--) {
    const r = Math.floor(Math.random() * (j + 1));
    [jobs[j], jobs[r]] = [jobs[r], jobs[j]];
  }
  const verifyLat = new Latencies();
  const cpu0 = server.cpuSeconds();
  const started = performance.now();
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const { i, osUser, email, otp } = jobs[j];
    const res = await http.call('POST', '/api/v1/otp/verify', {
      token: clients[i].clientToken,
      body: { osUser, email, otp, nonce: nonce() },
    });
    jobs[j].sessionId = expect(res, 200, 'verify').sessionId;
    verifyLat.add(res.ms);
  });
  const seconds = (performance.now() - started) / 1000;

  // Steady state after the storm: every open session sends a heartbeat (the Client's default is one a minute).
  const heartbeatLat = new Latencies();
  const hbStarted = performance.now();
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const { i, sessionId } = jobs[j];
    const res = await http.call('POST', `/api/v1/sessions/${sessionId}/heartbeat`, { token: clients[i].clientToken });
    expect(res, 204, 'heartbeat');
    heartbeatLat.add(res.ms);
  });
  const heartbeatsPerSecond = jobs.length / ((performance.now() - hbStarted) / 1000);
  return {
    verifies: jobs.length,
    verifyPerSecond: jobs.length / seconds,
    verifyLat,
    serverCpu: (server.cpuSeconds() - cpu0) / seconds,
    generatePerSecond: jobs.length / genSeconds,
    genLat,
    mailsPerSecond: jobs.length / mailSeconds,
    backlogAfterGenerate,
    heartbeatsPerSecond,
    heartbeatLat,
    sessions: jobs.map(({ i, sessionId }) => ({ clientToken: clients[i].clientToken, sessionId })),
  };
}

/**
 * The sessions' activity (issue 11): every open session sends one batch of EVENTS_PER_BATCH events
 * (idle/active, screen lock/unlock), as the Client's outbox does, through the group commit.
 */
async function activityBurst(http, sessions) {
  const lat = new Latencies();
  const at0 = Date.now() - 60_000;
  const types = ['idle', 'active', 'screen.locked', 'screen.unlocked'];
  const started = performance.now();
  await runPool(sessions.length, CONNECTIONS, async (j) => {
    const { clientToken, sessionId } = sessions[j];
    const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) => ({ type: types[k % types.length], at: at0 + k * 1000 }));
    const res = await http.call('POST', `/api/v1/sessions/${sessionId}/events`, { token: clientToken, body: { events } });
    expect(res, 204, 'events');
    lat.add(res.ms);
  });
  const seconds = (performance.now() - started) / 1000;
  return { batchesPerSecond: sessions.length / seconds, eventsPerSecond: (sessions.length * EVENTS_PER_BATCH) / seconds, lat };
}

/** Prometheus scraping /metrics (with its token) back to back on one connection, after the load. */
async function metricsScrapes(http) {
  const lat = new Latencies();
  for (let k = 0; k < METRICS_SCRAPES; k++) {
    const res = await http.call('GET', '/metrics', { token: METRICS_TOKEN });
    if (res.status !== 200) throw new Error(`metrics: expected 200, got ${res.status}`);
    lat.add(res.ms);
  }
  return { lat };
}

/**
 * Status long-polls held by every Client at once (issue 11: a decision reaches the lock within a
 * second). Each Client asks for emergency access and waits on its request with waitSeconds=25 on a
 * connection of its own, as the lock does. Measured: the server's resident memory before and while
 * all are held (what one held connection costs), heartbeats/s on the other 50 connections while
 * they are held, and how long an approval takes to reach the waiting Client.
 */
async function heldLongPolls(baseUrl, http, server, clients, sessions, admin, run) {
  const requests = new Array(clients.length);
  await runPool(clients.length, CONNECTIONS, async (i) => {
    const res = await http.call('POST', '/api/v1/otp/requests', {
      token: clients[i].clientToken,
      body: { osUser: `CORP\\wait${i}`, method: 'emergency', email: `wait${i}.${run}@corp.example.com` },
    });
    requests[i] = expect(res, 201, 'emergency request').requestId;
  });
  await sleep(500);
  const rssBefore = server.rssBytes();
  const held = createHttp(baseUrl, clients.length);
  const answeredAt = new Array(clients.length);
  let answered = 0;
  let pollRetries = 0;
  const polls = clients.map(async ({ clientToken }, i) => {
    for (;;) {
      let res;
      try {
        res = await held.call('GET', `/api/v1/otp/requests/${requests[i]}?waitSeconds=25`, { token: clientToken });
      } catch (err) {
        // A keep-alive connection the server closed as this poll was sent: ask again, as the lock does.
        if (err?.code !== 'UND_ERR_SOCKET') throw err;
        pollRetries++;
        continue;
      }
      const { status } = expect(res, 200, 'status');
      if (status !== 'pending') {
        answeredAt[i] = performance.now();
        answered++;
        return status;
      }
    }
  });
  // Every poll is on the server once each connection has sent its request; give the last ones time to land.
  await sleep(3000);
  const rssHeld = server.rssBytes();
  if (answered > 0) throw new Error(`${answered} long-polls answered before any decision`);

  const hbLat = new Latencies();
  const hbStarted = performance.now();
  await runPool(sessions.length, CONNECTIONS, async (j) => {
    const { clientToken, sessionId } = sessions[j];
    const res = await http.call('POST', `/api/v1/sessions/${sessionId}/heartbeat`, { token: clientToken });
    expect(res, 204, 'heartbeat while long-polls are held');
    hbLat.add(res.ms);
  });
  const heartbeatsPerSecond = sessions.length / ((performance.now() - hbStarted) / 1000);

  // A helpdesk decides every request; the time from sending the approval to the Client's answer.
  const decisionLat = new Latencies();
  await runPool(clients.length, CONNECTIONS, async (i) => {
    const sent = performance.now();
    const res = await http.call('POST', `/api/v1/admin/access-requests/${requests[i]}/approve`, { token: admin, body: {} });
    expect(res, 200, 'approve');
    while (answeredAt[i] === undefined) await sleep(5);
    decisionLat.add(answeredAt[i] - sent);
  });
  const statuses = await Promise.all(polls);
  await held.close();
  if (statuses.some((s) => s !== 'sent')) throw new Error(`a held long-poll ended ${statuses.find((s) => s !== 'sent')}, not sent`);
  return {
    held: clients.length,
    rssBefore,
    rssHeld,
    bytesPerHeldPoll: (rssHeld - rssBefore) / clients.length,
    pollRetries,
    heartbeatsPerSecond,
    hbLat,
    decisionLat,
  };
}

async function measureServer(label, dataDir, sink, clients) {
  const server = await startServer(dataDir, sink.url);
  const http = createHttp(server.baseUrl, CONNECTIONS);
  try {
    if (!clients) ({ clients } = await setUp(http));
    const helpdesk = await helpdeskToken(http);
    log(`  [${label}] storm of ${clients.length} logons …`);
    const s = await storm(http, sink, server, clients, helpdesk, label);
    log(`  [${label}] verification burst of ${clients.length * OTPS_PER_CLIENT} …`);
    const v = await verifyBurst(http, sink, server, clients, helpdesk, label);
    log(`  [${label}] activity: ${v.sessions.length} sessions × ${EVENTS_PER_BATCH} events …`);
    const activity = await activityBurst(http, v.sessions);
    log(`  [${label}] ${clients.length} status long-polls held at once, then decided …`);
    const polls = await heldLongPolls(server.baseUrl, http, server, clients, v.sessions, helpdesk, label);
    log(`  [${label}] ${METRICS_SCRAPES} /metrics scrapes …`);
    const metrics = await metricsScrapes(http);
    return { clients, storm: s, burst: v, activity, polls, metrics };
  } finally {
    await http.close();
    await server.stop();
  }
}

function dbBytes(dataDir) {
  return ['latchkey.db', 'latchkey.db-wal'].reduce((sum, f) => {
    const p = join(dataDir, f);
    return sum + (existsSync(p) ? statSync(p).size : 0);
  }, 0);
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, n) => {
      const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
      return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

async function main() {
  const benchStarted = performance.now();
  const m = machine();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  log(`Latchkey logon-storm benchmark: ${CLIENTS} Clients, ${CONNECTIONS} connections, ${HISTORY_ROWS.toLocaleString('en')} history rows`);
  const loadBefore = loadavg()[0];
  log(`machine: ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}, data dir ${dataDir} on ${m.disk}`);
  log(`load average before the run: ${loadBefore.toFixed(2)} (other work on the machine skews every figure; compare runs at similar load)`);
  log(
    `rate limits: ON. Raised through documented configuration only: ${Object.entries(RATE_LIMIT_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}; LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE at its default (60).`,
  );
  log('durability: journal_mode=WAL, synchronous=FULL (unchanged). Server log level: warn (LATCHKEY_LOG_LEVEL).');

  const sink = await startSmtpSink({ codesOnly: true });
  try {
    log('- durable commits: single-row INSERT, WAL, synchronous=FULL, same disk …');
    const fsyncCommitsPerSecond = measureCommitsPerSecond(join(dataDir, 'fsync-probe.db'));
    log('- bare Fastify baseline …');
    const bareFastifyRps = await measureBare();

    log('- server with an empty history …');
    const empty = await measureServer('empty', dataDir, sink);
    const emptyBytes = dbBytes(dataDir);

    log(`- loading ${HISTORY_ROWS.toLocaleString('en')} past OTP requests, sessions and audit events …`);
    const loadStarted = performance.now();
    preload(join(dataDir, 'latchkey.db'), { requests: HISTORY_ROWS, sessions: HISTORY_ROWS, auditEvents: HISTORY_ROWS });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`  loaded in ${loadSeconds.toFixed(1)} s`);

    log('- server with the 1,000,000-row history …');
    const full = await measureServer('1M', dataDir, sink, empty.clients);
    const bytes = dbBytes(dataDir);

    const ms = (x) => round(x, 1);
    const rowsFor = (name, r) => [
      [`${name}: logons/s (storm)`, round(r.storm.logonsPerSecond), ''],
      [
        `${name}: storm latency policy p50/p99 ms`,
        `${ms(r.storm.lat.policy.percentile(50))} / ${ms(r.storm.lat.policy.percentile(99))}`,
        '',
      ],
      [
        `${name}: storm latency generate p50/p99 ms`,
        `${ms(r.storm.lat.generate.percentile(50))} / ${ms(r.storm.lat.generate.percentile(99))}`,
        '',
      ],
      [`${name}: storm mail delivery p50/p99 ms`, `${ms(r.storm.lat.mail.percentile(50))} / ${ms(r.storm.lat.mail.percentile(99))}`, ''],
      [
        `${name}: storm latency verify p50/p99 ms`,
        `${ms(r.storm.lat.verify.percentile(50))} / ${ms(r.storm.lat.verify.percentile(99))}`,
        '',
      ],
      [
        `${name}: storm latency heartbeat p50/p99 ms`,
        `${ms(r.storm.lat.heartbeat.percentile(50))} / ${ms(r.storm.lat.heartbeat.percentile(99))}`,
        '',
      ],
      [`${name}: storm whole logon p50/p99 ms`, `${ms(r.storm.lat.logon.percentile(50))} / ${ms(r.storm.lat.logon.percentile(99))}`, ''],
      [`${name}: storm server CPU (cores busy)`, round(r.storm.serverCpu, 2), ''],
      [`${name}: generate/s (burst)`, round(r.burst.generatePerSecond), ''],
      [`${name}: mails/s drained to SMTP (burst)`, round(r.burst.mailsPerSecond), '≥ 200'],
      [`${name}: mail backlog when generation ended`, r.burst.backlogAfterGenerate, ''],
      [`${name}: verify/s (burst of ${r.burst.verifies})`, round(r.burst.verifyPerSecond), ''],
      [
        `${name}: verify p50/p99 ms (burst)`,
        `${ms(r.burst.verifyLat.percentile(50))} / ${ms(r.burst.verifyLat.percentile(99))}`,
        'p99 < 25',
      ],
      [`${name}: verify server CPU (cores busy)`, round(r.burst.serverCpu, 2), ''],
      [`${name}: heartbeats/s (burst)`, round(r.burst.heartbeatsPerSecond), ''],
      [
        `${name}: heartbeat p50/p99 ms (burst)`,
        `${ms(r.burst.heartbeatLat.percentile(50))} / ${ms(r.burst.heartbeatLat.percentile(99))}`,
        '',
      ],
      [`${name}: activity events/s (batches of ${EVENTS_PER_BATCH})`, round(r.activity.eventsPerSecond), ''],
      [`${name}: activity batch p50/p99 ms`, `${ms(r.activity.lat.percentile(50))} / ${ms(r.activity.lat.percentile(99))}`, ''],
      [`${name}: status long-polls held at once`, r.polls.held, ''],
      [`${name}: server RSS MiB before / while held`, `${mib(r.polls.rssBefore)} / ${mib(r.polls.rssHeld)}`, ''],
      [`${name}: memory per held long-poll KiB`, round(r.polls.bytesPerHeldPoll / 1024, 1), ''],
      [`${name}: long-polls sent again after a closed connection`, r.polls.pollRetries, ''],
      [`${name}: heartbeats/s while held`, round(r.polls.heartbeatsPerSecond), ''],
      [`${name}: heartbeat p50/p99 ms while held`, `${ms(r.polls.hbLat.percentile(50))} / ${ms(r.polls.hbLat.percentile(99))}`, ''],
      [
        `${name}: approval → waiting Client p50/p99 ms`,
        `${ms(r.polls.decisionLat.percentile(50))} / ${ms(r.polls.decisionLat.percentile(99))}`,
        '< 1000',
      ],
      [`${name}: /metrics scrape p50/p99 ms`, `${ms(r.metrics.lat.percentile(50))} / ${ms(r.metrics.lat.percentile(99))}`, ''],
    ];

    const verifyPerSecond = full.burst.verifyPerSecond;
    const ratio = verifyPerSecond / bareFastifyRps;
    const slowdown = 1 - verifyPerSecond / empty.burst.verifyPerSecond;
    const stormSlowdown = 1 - full.storm.logonsPerSecond / empty.storm.logonsPerSecond;
    const p99 = full.burst.verifyLat.percentile(99);
    const goals = {
      ratio: ratio >= 0.25,
      verifyVsFsync: verifyPerSecond >= 0.6 * fsyncCommitsPerSecond,
      p99: p99 < 25,
      mail: full.burst.mailsPerSecond >= 200,
      history: slowdown <= 0.2 && stormSlowdown <= 0.2,
    };
    const yes = (ok) => (ok ? 'met' : 'MISSED');
    log('');
    log(
      table([
        ['figure', 'value', 'goal'],
        ['durable single-row commits/s (WAL, FULL)', round(fsyncCommitsPerSecond), ''],
        ['bare Fastify route, requests/s', round(bareFastifyRps), ''],
        ...rowsFor('empty', empty),
        ...rowsFor('1M', full),
        ['ratio verify/s ÷ bare Fastify rps', round(ratio, 3), `≥ 0.25: ${yes(goals.ratio)}`],
        ['verify/s ÷ durable commits/s', round(verifyPerSecond / fsyncCommitsPerSecond, 3), `≥ 0.6: ${yes(goals.verifyVsFsync)}`],
        ['verify p99 ms (1M burst)', ms(p99), `< 25: ${yes(goals.p99)}`],
        ['mails/s (1M burst)', round(full.burst.mailsPerSecond), `≥ 200: ${yes(goals.mail)}`],
        ['1M vs empty: verify/s slower by', `${round(slowdown * 100, 1)} %`, `≤ 20 %: ${yes(goals.history)}`],
        ['1M vs empty: logons/s slower by', `${round(stormSlowdown * 100, 1)} %`, ''],
        ['database bytes (1M history)', bytes.toLocaleString('en'), ''],
        ['database bytes (empty history, after its run)', emptyBytes.toLocaleString('en'), ''],
        ['history load time s', round(loadSeconds, 1), ''],
        ['whole benchmark s', round((performance.now() - benchStarted) / 1000, 1), ''],
        ['load average before / after (1 min)', `${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)}`, ''],
      ]),
    );
    log('');
    const result = {
      verifyPerSecond: round(verifyPerSecond),
      logonsPerSecond: round(full.storm.logonsPerSecond, 1),
      p50Ms: ms(full.burst.verifyLat.percentile(50)),
      p99Ms: ms(p99),
      bareFastifyRps: round(bareFastifyRps),
      ratio: round(ratio, 3),
      fsyncCommitsPerSecond: round(fsyncCommitsPerSecond),
      mailsPerSecond: round(full.burst.mailsPerSecond),
      dbBytes: bytes,
      historyRows: HISTORY_ROWS,
      clients: CLIENTS,
      connections: CONNECTIONS,
      stormVerifyP99Ms: ms(full.storm.lat.verify.percentile(99)),
      generatePerSecond: round(full.burst.generatePerSecond),
      heartbeatsPerSecond: round(full.burst.heartbeatsPerSecond),
      activityEventsPerSecond: round(full.activity.eventsPerSecond),
      heldLongPolls: {
        held: full.polls.held,
        rssBeforeBytes: full.polls.rssBefore,
        rssHeldBytes: full.polls.rssHeld,
        bytesPerHeldPoll: round(full.polls.bytesPerHeldPoll),
        heartbeatsPerSecondWhileHeld: round(full.polls.heartbeatsPerSecond),
        decisionToClientP99Ms: ms(full.polls.decisionLat.percentile(99)),
      },
      metricsScrapeP99Ms: ms(full.metrics.lat.percentile(99)),
      empty: {
        verifyPerSecond: round(empty.burst.verifyPerSecond),
        logonsPerSecond: round(empty.storm.logonsPerSecond, 1),
        p50Ms: ms(empty.burst.verifyLat.percentile(50)),
        p99Ms: ms(empty.burst.verifyLat.percentile(99)),
        mailsPerSecond: round(empty.burst.mailsPerSecond),
        generatePerSecond: round(empty.burst.generatePerSecond),
        heartbeatsPerSecond: round(empty.burst.heartbeatsPerSecond),
        dbBytes: emptyBytes,
      },
      historySlowdown: round(slowdown, 3),
      goals,
      rateLimitsRaised: RATE_LIMIT_ENV,
      machine: m,
      loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
    };
    console.log(JSON.stringify(result));
  } finally {
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});

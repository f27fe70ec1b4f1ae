// Latchkey logon-storm benchmark. Run from the repository root with `npm run bench` (it builds the
// server first). Everything runs on this machine: the built server as its own process on a temp data
// dir, a real SMTP server on loopback, and the load from this process (50 keep-alive connections).
// Each scenario is a file in bench/scenarios/; this one runs them in order and reports.
// The last line printed is one JSON object with the headline figures.
// With BENCH_DATABASE_URL (an empty PostgreSQL database; `node bench/with-postgres.mjs` makes a
// throwaway one) it also runs the server on PostgreSQL, one node and then two, beside SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSmtpSink } from '@latchkey/test-support';
import { createHttp } from './lib/load.mjs';
import { preload } from './lib/preload.mjs';
import { measureCommitsPerSecond } from './lib/fsync.mjs';
import { dbBytes, helpdeskToken, machine, measureBare, setUp, startNodes, startServer } from './lib/server.mjs';
import {
  CLIENTS,
  CONNECTIONS,
  DATABASE_URL,
  EVENTS_PER_BATCH,
  HISTORY_ROWS,
  METRICS_SCRAPES,
  OTPS_PER_CLIENT,
  RATE_LIMIT_ENV,
  log,
  mib,
  redactedUrl,
  round,
} from './lib/settings.mjs';
import { serverErrors } from './lib/api.mjs';
import { storm } from './scenarios/storm.mjs';
import { verifyBurst } from './scenarios/verify-burst.mjs';
import { activityBurst } from './scenarios/activity.mjs';
import { heldLongPolls } from './scenarios/long-polls.mjs';
import { metricsScrapes } from './scenarios/metrics.mjs';

/**
 * One server (or several nodes, `start` answering them as one) through the scenarios. `headline`: only
 * the storm, the burst and the held long-polls (the PostgreSQL runs, set beside SQLite's).
 */
async function measureServer(label, start, sink, clients, { headline = false } = {}) {
  const server = await start();
  const http = createHttp(server.baseUrl, CONNECTIONS);
  serverErrors.count = 0;
  try {
    if (!clients) ({ clients } = await setUp(http));
    const helpdesk = await helpdeskToken(http);
    log(`  [${label}] storm of ${clients.length} logons …`);
    const s = await storm(http, sink, server, clients, helpdesk, label);
    log(`  [${label}] verification burst of ${clients.length * OTPS_PER_CLIENT} …`);
    const v = await verifyBurst(http, sink, server, clients, helpdesk, label);
    let activity;
    if (!headline) {
      log(`  [${label}] activity: ${v.sessions.length} sessions × ${EVENTS_PER_BATCH} events …`);
      activity = await activityBurst(http, v.sessions);
    }
    log(`  [${label}] ${clients.length} status long-polls held at once, then decided …`);
    const polls = await heldLongPolls(server.baseUrl, http, server, clients, v.sessions, helpdesk, label);
    let metrics;
    if (!headline) {
      log(`  [${label}] ${METRICS_SCRAPES} /metrics scrapes …`);
      metrics = await metricsScrapes(http);
    }
    return { clients, storm: s, burst: v, activity, polls, metrics, serverErrors: serverErrors.count };
  } catch (err) {
    log(
      `  [${label}] failed; the server said:\n${[typeof server.output === 'function' ? server.output() : server.output].flat().join('').slice(-4000)}`,
    );
    throw err;
  } finally {
    await http.close();
    await server.stop();
  }
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
    const empty = await measureServer('empty', () => startServer(dataDir, sink.url), sink);
    const emptyBytes = dbBytes(dataDir);

    // PostgreSQL (BENCH_DATABASE_URL, an empty database): one node, then two on the same database with
    // the requests spread round-robin, right after SQLite's empty run so that the machine's load is alike.
    let postgres;
    if (DATABASE_URL) {
      log(`- PostgreSQL (${redactedUrl(DATABASE_URL)}), one node, empty history …`);
      const one = await measureServer('pg-1', () => startNodes(1, DATABASE_URL, sink.url), sink, undefined, { headline: true });
      log('- PostgreSQL, two nodes on the same database, requests round-robin …');
      const two = await measureServer('pg-2', () => startNodes(2, DATABASE_URL, sink.url), sink, one.clients, { headline: true });
      postgres = { one, two };
    }

    log(`- loading ${HISTORY_ROWS.toLocaleString('en')} past OTP requests, sessions and audit events …`);
    const loadStarted = performance.now();
    preload(join(dataDir, 'latchkey.db'), { requests: HISTORY_ROWS, sessions: HISTORY_ROWS, auditEvents: HISTORY_ROWS });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`  loaded in ${loadSeconds.toFixed(1)} s`);

    log('- server with the 1,000,000-row history …');
    const full = await measureServer('1M', () => startServer(dataDir, sink.url), sink, empty.clients);
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

    /** The figures the PostgreSQL runs are compared by, for SQLite's empty run beside them. */
    const headlineRows = (name, r) => [
      [`${name}: logons/s (storm)`, round(r.storm.logonsPerSecond), ''],
      [`${name}: storm whole logon p50/p99 ms`, `${ms(r.storm.lat.logon.percentile(50))} / ${ms(r.storm.lat.logon.percentile(99))}`, ''],
      [`${name}: verify/s (burst of ${r.burst.verifies})`, round(r.burst.verifyPerSecond), ''],
      [`${name}: verify p50/p99 ms (burst)`, `${ms(r.burst.verifyLat.percentile(50))} / ${ms(r.burst.verifyLat.percentile(99))}`, ''],
      [`${name}: verify server CPU (cores busy, all nodes)`, round(r.burst.serverCpu, 2), ''],
      [`${name}: 500 answers (asked again)`, r.serverErrors, '0'],
      [`${name}: mails/s drained to SMTP (burst)`, round(r.burst.mailsPerSecond), ''],
      [
        `${name}: approval → waiting Client p50/p99 ms`,
        `${ms(r.polls.decisionLat.percentile(50))} / ${ms(r.polls.decisionLat.percentile(99))}`,
        '< 1000',
      ],
    ];
    const headlineJson = (r) => ({
      verifyPerSecond: round(r.burst.verifyPerSecond),
      logonsPerSecond: round(r.storm.logonsPerSecond, 1),
      p50Ms: ms(r.burst.verifyLat.percentile(50)),
      p99Ms: ms(r.burst.verifyLat.percentile(99)),
      stormVerifyP99Ms: ms(r.storm.lat.verify.percentile(99)),
      verifyServerCpu: round(r.burst.serverCpu, 2),
      mailsPerSecond: round(r.burst.mailsPerSecond),
      decisionToClientP99Ms: ms(r.polls.decisionLat.percentile(99)),
      serverErrors: r.serverErrors,
    });

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
        ...(postgres
          ? [
              ...headlineRows('SQLite, empty', empty),
              ...headlineRows('PostgreSQL, 1 node, empty', postgres.one),
              ...headlineRows('PostgreSQL, 2 nodes, empty', postgres.two),
            ]
          : []),
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
      ...(postgres ? { postgres: { oneNode: headlineJson(postgres.one), twoNodes: headlineJson(postgres.two) } } : {}),
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

import { performance } from 'node:perf_hooks';
import { routes } from '@latchkey/contracts';
import { Latencies, runPool } from '../lib/load.mjs';
import { callRoute } from '../lib/api.mjs';
import { nonce } from '../lib/nonce.mjs';
import { CONNECTIONS, OTPS_PER_CLIENT, expect } from '../lib/settings.mjs';

/**
 * Verification at saturation: OTPS_PER_CLIENT codes per Client are generated (and the mail drain is
 * timed), then all of them are verified by 50 connections back to back.
 */
export async function verifyBurst(http, sink, server, clients, helpdesk, run) {
  const jobs = [];
  for (let k = 0; k < OTPS_PER_CLIENT; k++) {
    for (let i = 0; i < clients.length; i++) jobs.push({ i, osUser: `CORP\\burst${i}`, email: `burst${i}.${run}@corp.example.com` });
  }
  sink.resetStats();
  const genLat = new Latencies();
  const genStarted = performance.now();
  await runPool(jobs.length, CONNECTIONS, async (j) => {
    const job = jobs[j];
    const res = await callRoute(http, routes.generateOtp, {
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
    const res = await callRoute(http, routes.verifyOtp, {
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
    const res = await callRoute(http, routes.heartbeat, { params: { sessionId }, token: clients[i].clientToken });
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

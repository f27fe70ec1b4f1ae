import { performance } from 'node:perf_hooks';
import { routes } from '@latchkey/contracts';
import { Latencies, runPool } from '../lib/load.mjs';
import { callRoute } from '../lib/api.mjs';
import { nonce } from '../lib/nonce.mjs';
import { CONNECTIONS, HEARTBEATS, expect } from '../lib/settings.mjs';

/**
 * The 9 a.m. storm: every Client logs on once, 50 at a time. A logon is the Client reading its policy,
 * the helpdesk generating the OTP (mailed by the server's queue), the code read from the received
 * mail, the verification, then heartbeats of the new session.
 */
export async function storm(http, sink, server, clients, helpdesk, run) {
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
    const policy = await callRoute(http, routes.getPolicy, { token: clientToken });
    expect(policy, 200, 'policy');
    lat.policy.add(policy.ms);
    const gen = await callRoute(http, routes.generateOtp, { token: helpdesk, body: { clientId, osUser, email } });
    expect(gen, 201, 'generate');
    lat.generate.add(gen.ms);
    const mailStarted = performance.now();
    const otp = await sink.nextCode(email);
    lat.mail.add(performance.now() - mailStarted);
    const verify = await callRoute(http, routes.verifyOtp, { token: clientToken, body: { osUser, email, otp, nonce: nonce() } });
    const { sessionId } = expect(verify, 200, 'verify');
    lat.verify.add(verify.ms);
    lat.logon.add(performance.now() - t0);
    for (let h = 0; h < HEARTBEATS; h++) {
      const hb = await callRoute(http, routes.heartbeat, { params: { sessionId }, token: clientToken });
      expect(hb, 204, 'heartbeat');
      lat.heartbeat.add(hb.ms);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, logonsPerSecond: clients.length / seconds, lat, serverCpu: (server.cpuSeconds() - cpu0) / seconds };
}

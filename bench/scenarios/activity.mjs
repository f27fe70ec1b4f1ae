import { performance } from 'node:perf_hooks';
import { routes } from '@latchkey/contracts';
import { Latencies, runPool } from '../lib/load.mjs';
import { callRoute } from '../lib/api.mjs';
import { CONNECTIONS, EVENTS_PER_BATCH, expect } from '../lib/settings.mjs';

/**
 * The sessions' activity (issue 11): every open session sends one batch of EVENTS_PER_BATCH events
 * (idle/active, screen lock/unlock), as the Client's outbox does, through the group commit.
 */
export async function activityBurst(http, sessions) {
  const lat = new Latencies();
  const at0 = Date.now() - 60_000;
  const types = ['idle', 'active', 'screen.locked', 'screen.unlocked'];
  const started = performance.now();
  await runPool(sessions.length, CONNECTIONS, async (j) => {
    const { clientToken, sessionId } = sessions[j];
    const events = Array.from({ length: EVENTS_PER_BATCH }, (_, k) => ({ type: types[k % types.length], at: at0 + k * 1000 }));
    const res = await callRoute(http, routes.postSessionEvents, { params: { sessionId }, token: clientToken, body: { events } });
    expect(res, 204, 'events');
    lat.add(res.ms);
  });
  const seconds = (performance.now() - started) / 1000;
  return { batchesPerSecond: sessions.length / seconds, eventsPerSecond: (sessions.length * EVENTS_PER_BATCH) / seconds, lat };
}

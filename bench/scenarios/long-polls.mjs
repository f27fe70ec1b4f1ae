import { performance } from 'node:perf_hooks';
import { routes } from '@latchkey/contracts';
import { Latencies, createHttp, runPool } from '../lib/load.mjs';
import { callRoute } from '../lib/api.mjs';
import { CONNECTIONS, expect, sleep } from '../lib/settings.mjs';

/**
 * Status long-polls held by every Client at once (issue 11: a decision reaches the lock within a
 * second). Each Client asks for emergency access and waits on its request with waitSeconds=25 on a
 * connection of its own, as the lock does. Measured: the server's resident memory before and while
 * all are held (what one held connection costs), heartbeats/s on the other 50 connections while
 * they are held, and how long an approval takes to reach the waiting Client.
 */
export async function heldLongPolls(baseUrl, http, server, clients, sessions, admin, run) {
  const requests = new Array(clients.length);
  await runPool(clients.length, CONNECTIONS, async (i) => {
    const res = await callRoute(http, routes.createOtpRequest, {
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
        res = await callRoute(held, routes.getOtpRequest, {
          params: { requestId: requests[i] },
          query: { waitSeconds: '25' },
          token: clientToken,
        });
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
    const res = await callRoute(http, routes.heartbeat, { params: { sessionId }, token: clientToken });
    expect(res, 204, 'heartbeat while long-polls are held');
    hbLat.add(res.ms);
  });
  const heartbeatsPerSecond = sessions.length / ((performance.now() - hbStarted) / 1000);

  // A helpdesk decides every request; the time from sending the approval to the Client's answer.
  const decisionLat = new Latencies();
  await runPool(clients.length, CONNECTIONS, async (i) => {
    const sent = performance.now();
    const res = await callRoute(http, routes.approveAccessRequest, { params: { requestId: requests[i] }, token: admin, body: {} });
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

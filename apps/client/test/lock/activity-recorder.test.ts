import { describe, expect, it, vi } from 'vitest';
import { ACTIVITY_BATCH_MAX, routes, type ActivityEvent, type FetchLike } from '@latchkey/contracts';
import { fetchWithTimeout, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { ActivityRecorder } from '../../src/lock/activity-recorder.js';
import { memoryOutboxStore, parseOutbox, ACTIVITY_OUTBOX_MAX, ActivityOutbox } from '../../src/lock/activity-outbox.js';
import { watchIdle } from '../../src/lock/activity-idle.js';
import { controllerFor, useLockTestbed } from '../support/lock.js';
import { closedPort, otpFromMail } from '../support/server.js';

const MINUTE = 60_000;

const { server, timers } = useLockTestbed();

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });

/** A real unlock through the lock controller: request, approval, the mailed code, verify. */
async function unlock(
  method: 'email' | 'emergency' = 'email',
): Promise<{ token: string; session: UnlockedSession & { sessionId: string } }> {
  const { controller, unlocked, token } = await controllerFor(server, timers);
  await controller.start();
  await controller.requestOtp({ method, email: 'alice@corp.example.com', ...(method === 'emergency' ? { reason: 'phone lost' } : {}) });
  const requestId = controller.state.request!.requestId;
  await server.api(routes.approveAccessRequest, { params: { requestId }, body: {} });
  await until(() => server.test.smtp.mails.some((m) => m.to.includes('alice@corp.example.com') && /\d{8}/.test(m.text)));
  const mail = server.test.smtp.mails.find((m) => m.to.includes('alice@corp.example.com') && /\d{8}/.test(m.text))!;
  await controller.refreshRequest();
  await controller.verify({ email: 'alice@corp.example.com', otp: otpFromMail(mail) });
  controller.dispose();
  expect(unlocked).toHaveLength(1);
  const session = unlocked[0]!;
  if (!session.sessionId) throw new Error('an OTP unlock has a session id');
  return { token, session: { ...session, sessionId: session.sessionId } };
}

async function storedEvents(sessionId: string): Promise<ActivityEvent[]> {
  return server.api(routes.listSessionEvents, { params: { sessionId } });
}

describe('session activity: recorder and outbox against the real server', () => {
  it('records how the desktop was unlocked and sends one batch after the batch delay', async () => {
    const { token, session } = await unlock('emergency');
    expect(session.via).toBe('emergency');
    const store = memoryOutboxStore();
    const recorder = new ActivityRecorder({
      baseUrl: server.baseUrl,
      fetch,
      clientToken: () => token,
      store,
      timers,
      batchDelayMs: 30_000,
    });
    const t0 = server.test.clock.now();
    recorder.begin(session.sessionId, session.via === 'exempt' ? 'otp' : session.via, t0);
    recorder.record('screen.locked', t0 + MINUTE);
    recorder.record('screen.unlocked', t0 + 2 * MINUTE);
    expect(store.events).toHaveLength(3);
    // Nothing is sent per event: the batch waits for the delay.
    expect(await storedEvents(session.sessionId)).toEqual([]);
    timers.advance(30_000);
    await until(() => recorder.pending === 0);
    expect(await storedEvents(session.sessionId)).toEqual([
      { type: 'unlock.emergency', at: t0 },
      { type: 'screen.locked', at: t0 + MINUTE },
      { type: 'screen.unlocked', at: t0 + 2 * MINUTE },
    ]);
    recorder.dispose();
  });

  it('keeps events through a server outage and a Client restart, retries with backoff, and sends them once back', async () => {
    const { token, session } = await unlock();
    expect(session.via).toBe('otp');
    let target = `http://127.0.0.1:${await closedPort()}`;
    const viaNetwork: FetchLike = (url, init) => fetchWithTimeout(fetch, 2_000)(target + url, init);
    const store = memoryOutboxStore();
    const options2 = {
      baseUrl: '',
      fetch: viaNetwork,
      clientToken: () => token,
      store,
      timers,
      random: () => 0.5,
      batchDelayMs: 30_000,
      backoff: { initialMs: 5_000, maxMs: 60_000 },
    };
    const recorder = new ActivityRecorder(options2);
    const t0 = server.test.clock.now();
    recorder.begin(session.sessionId, 'otp', t0);
    recorder.record('idle', t0 + 5 * MINUTE);
    recorder.record('idle', t0 + 6 * MINUTE); // no change: not recorded twice
    recorder.record('active', t0 + 9 * MINUTE);
    timers.advance(30_000);
    await until(() => timers.delays().length === 1);
    // Failed: every event is still held, and the next try waits (5 s, then 10 s, 20 s…).
    expect(recorder.pending).toBe(3);
    expect(timers.delays()).toEqual([5_000]);
    timers.advance(5_000);
    await until(() => timers.delays()[0] === 10_000);
    expect(recorder.pending).toBe(3);

    // The Client restarts during the outage: the outbox is read back from its store.
    recorder.dispose();
    const restarted = new ActivityRecorder(options2);
    expect(restarted.pending).toBe(3);
    restarted.record('suspend', t0 + 10 * MINUTE); // no session after a restart: nothing new is made up
    expect(restarted.pending).toBe(3);

    target = server.baseUrl;
    server.test.clock.advance(10 * MINUTE);
    timers.advance(0);
    await until(() => restarted.pending === 0);
    expect(await storedEvents(session.sessionId)).toEqual([
      { type: 'unlock.otp', at: t0 },
      { type: 'idle', at: t0 + 5 * MINUTE },
      { type: 'active', at: t0 + 9 * MINUTE },
    ]);
    expect(store.events).toEqual([]);
    restarted.dispose();
  });

  it('sends a long backlog in bounded batches, and an end of session at once', async () => {
    const { token, session } = await unlock();
    const store = memoryOutboxStore();
    const recorder = new ActivityRecorder({ baseUrl: server.baseUrl, fetch, clientToken: () => token, store, timers });
    const t0 = server.test.clock.now();
    recorder.begin(session.sessionId, 'otp', t0);
    for (let i = 1; i <= ACTIVITY_BATCH_MAX + 20; i++) recorder.record(i % 2 ? 'idle' : 'active', t0 + i * 1000);
    server.test.clock.advance(10 * MINUTE);
    recorder.record('ended', t0 + 10 * MINUTE);
    await until(() => recorder.pending === 0);
    const stored = await storedEvents(session.sessionId);
    expect(stored).toHaveLength(ACTIVITY_BATCH_MAX + 22);
    expect(stored.at(-1)).toEqual({ type: 'ended', at: t0 + 10 * MINUTE });
    recorder.dispose();
  });

  it("drops a batch the server refuses for good (another Client's session) instead of blocking the rest", async () => {
    const { session } = await unlock();
    const otherToken = await server.enroll('PC-OTHER-02');
    const dropped: string[] = [];
    const recorder = new ActivityRecorder({
      baseUrl: server.baseUrl,
      fetch,
      clientToken: () => otherToken,
      store: memoryOutboxStore(),
      timers,
      onDropped: (_n, code) => dropped.push(code),
    });
    recorder.begin(session.sessionId, 'otp', server.test.clock.now());
    await recorder.flush();
    expect(dropped).toEqual(['not_found']);
    expect(recorder.pending).toBe(0);
    expect(await storedEvents(session.sessionId)).toEqual([]);
    recorder.dispose();
  });
});

describe('outbox and idle watch', () => {
  it('bounds the outbox, dropping the oldest, and reads a damaged store as empty', () => {
    const outbox = new ActivityOutbox(memoryOutboxStore());
    for (let i = 0; i < ACTIVITY_OUTBOX_MAX + 3; i++) outbox.add({ sessionId: 'session-0001', type: 'idle', at: i });
    expect(outbox.size).toBe(ACTIVITY_OUTBOX_MAX);
    expect(outbox.nextBatch(1)[0]!.at).toBe(3);
    expect(parseOutbox('{not json')).toEqual([]);
    expect(parseOutbox('[{"sessionId":"s","type":"idle","at":1},{"bad":true}]')).toEqual([{ sessionId: 's', type: 'idle', at: 1 }]);
  });

  it('turns the OS idle time into idle and active events dated to the last input', () => {
    let idleSeconds = 0;
    const changes: [string, number][] = [];
    const watch = watchIdle({
      idleSeconds: () => idleSeconds,
      onChange: (type, at) => changes.push([type, at]),
      thresholdSeconds: 300,
      pollMs: 15_000,
      timers,
    });
    const start = timers.now();
    timers.advance(15_000);
    expect(changes).toEqual([]);
    idleSeconds = 310;
    timers.advance(15_000);
    expect(changes).toEqual([['idle', start + 30_000 - 310_000]]);
    idleSeconds = 320;
    timers.advance(15_000);
    expect(changes).toHaveLength(1);
    idleSeconds = 2;
    timers.advance(15_000);
    expect(changes[1]).toEqual(['active', start + 60_000 - 2_000]);
    watch.stop();
    expect(timers.delays()).toEqual([]);
  });
});

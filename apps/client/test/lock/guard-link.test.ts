import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardLine, guardSignedBytes, routes, type EnrollResult, type GuardMessage } from '@latchkey/contracts';
import { connectGuardChannel } from '../../src/guard/channel-socket.js';
import type { GuardService } from '../../src/guard/guard-service.js';
import { GuardLink, guardOfflineUnlock, type GuardTransport } from '../../src/lock/guard-link.js';
import { LockController, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { createRelockGate } from '../../src/lock/relock.js';
import { createVerdictHook } from '../../src/lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import { ALICE, EMAIL, startGuardedComputer, type GuardedComputer } from '../guard/support/guarded-computer.js';
import type { ServerFront } from '../guard/support/server-front.js';
import { ManualTimers } from '../support/manual-timers.js';
import { otpFromMail, type LiveServer } from '../support/server.js';

let computer: GuardedComputer;
let server: LiveServer;
let stub: ServerFront;
let machine: EnrollResult;
let guard: GuardService;
let link: GuardLink;

beforeEach(async () => {
  // The test process itself is the lock the guard started for alice's session.
  computer = await startGuardedComputer({ lockIsThisProcess: true });
  ({ server, stub, machine, guard } = computer);
  link = new GuardLink(await connectGuardChannel(computer.host.socketPath), computer.trust());
});
afterEach(async () => {
  link.close();
  await computer.stop();
});

/** The lock as main.ts builds it on a computer with the guard: the guard's token, nonce and say. */
async function guardedLock(guardSide: Pick<GuardLink, 'nonce' | 'unlock'> = link) {
  const welcome = await link.hello();
  expect(welcome).toMatchObject({ osUser: ALICE.user, state: 'locked', clientId: machine.clientId, serverUrl: stub.url });
  const timers = new ManualTimers();
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: welcome!.serverUrl!,
    fetch: (url, init) => fetch(url, init),
    clientToken: () => link.token,
    osUser: ALICE.user,
    timers,
    random: () => 0.5,
    verdicts: createVerdictHook({
      // The key the lock pins comes from the trust file, never from the welcome.
      identity: () => ({ clientId: welcome!.clientId!, serverPublicKey: computer.trust().serverPublicKey }),
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: () => server.test.clock.now(),
    }),
    offline: guardOfflineUnlock(link, ALICE.user, () => server.test.clock.now()),
    guard: guardSide,
    onUnlocked: (session) => unlocked.push(session),
  });
  await controller.start();
  return { controller, unlocked };
}

describe('the lock with the guard (guard-link.ts)', () => {
  it('verifies with the guard nonce, under the token the guard minted for its user, and opens only once the guard has; locks again when the guard says so', async () => {
    const { controller, unlocked } = await guardedLock();
    expect(link.token).toBe(stub.minted[0]!.token);
    await server.api(routes.generateOtp, { body: { clientId: machine.clientId, osUser: ALICE.user, email: EMAIL } });
    const mail = await server.test.smtp.waitFor((m) => m.to.includes(EMAIL));
    await controller.verify({ email: EMAIL, otp: otpFromMail(mail) });
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toHaveLength(1);
    expect(guard.state(1)).toBe('unlocked');

    // Windows unlock: the guard locks again and says so; the lock follows through its relock gate, as main.ts wires it.
    const gate = createRelockGate({ controller, cover: () => undefined, now: () => server.test.clock.now() });
    link.onRelock((event) => gate.onSessionEvent(event));
    computer.host.notify({ kind: 'unlock', windowsSessionId: 1 });
    await expect.poll(() => controller.state.phase).toBe('locked');
    expect(guard.state(1)).toBe('locked');
    controller.dispose();
  });

  it('stays locked when the guard refuses the answer (a nonce the guard never issued)', async () => {
    // The lock makes its nonce up itself (or replays one) instead of asking the guard.
    const { controller: forged } = await guardedLock({ nonce: () => Promise.resolve('A'.repeat(22)), unlock: (n, r) => link.unlock(n, r) });
    await server.api(routes.generateOtp, { body: { clientId: machine.clientId, osUser: ALICE.user, email: EMAIL } });
    const mail = await server.test.smtp.waitFor((m) => m.to.includes(EMAIL));
    await forged.verify({ email: EMAIL, otp: otpFromMail(mail) });
    expect(forged.state.phase).toBe('locked');
    expect(forged.state.notice?.code).toBe('verdict_invalid');
    expect(guard.state(1)).toBe('locked');
    forged.dispose();
  });

  it('offline: the lock shows the guard challenge and the guard checks the response code', async () => {
    const { controller } = await guardedLock();
    const offline = guardOfflineUnlock(link, ALICE.user, () => server.test.clock.now());
    const offer = await offline.offer();
    expect(offer?.challenge).toMatch(/^[0-9A-Z]{8}$/);
    expect(await offline.check('AAAAA-AAAAA')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    const { responseCode } = await server.api(routes.offlineResponse, {
      params: { clientId: machine.clientId },
      body: { osUser: ALICE.user, challenge: offer!.challenge! },
    });
    expect((await offline.check(responseCode)).ok).toBe(true);
    expect(guard.state(1)).toBe('unlocked');
    controller.dispose();
  });
});

/** The guard's channel as another process serves it: a user's second instance of the pipe's name (fake-guard.mjs). */
async function startFakeGuard(env: Record<string, string>) {
  const socketPath = join(computer.host.dir, 'fake-guard.sock');
  const child = fork(FAKE_GUARD, [], {
    env: { ...process.env, FAKE_GUARD_SOCKET: socketPath, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { listening?: boolean; request?: string }) => {
      if (m.listening) resolve();
      if (m.request) got.push(m.request);
    });
    child.once('exit', () => reject(new Error('the fake guard ended')));
  });
  fakes.push(child);
  return { socketPath, got };
}
const FAKE_GUARD = fileURLToPath(new URL('../guard/support/fake-guard.mjs', import.meta.url));
const fakes: ChildProcess[] = [];
afterEach(() => {
  for (const child of fakes.splice(0)) child.kill('SIGKILL');
});

/** A transport that lets the test see each line the lock gets and change or add some (what a second server could say). */
function tapped(transport: GuardTransport, change: (line: string) => string[] = (line) => [line]) {
  const seen: string[] = [];
  const tap: GuardTransport = {
    send: (request) => transport.send(request),
    onLine: (listener) => transport.onLine((line) => void change(line).forEach((l) => (seen.push(l), listener(l)))),
    onClose: (listener) => transport.onClose(listener),
    close: () => transport.close(),
  };
  return { tap, seen };
}

/** A welcome as the guard would give alice's lock, for a fake to answer with. */
const fakeWelcome = () => ({
  osUser: ALICE.user,
  windowsSessionId: ALICE.windowsSessionId,
  state: 'locked',
  clientId: machine.clientId,
  serverPublicKey: computer.trust().serverPublicKey,
  serverUrl: 'https://evil.example.com',
  clientToken: 'f'.repeat(40),
  offline: true,
});

describe('the lock authenticates the guard (a second server instance of the pipe, docs/security.md "The guard")', () => {
  it('attack: a fake guard with its own key answers the hello and says "ok" to any offline code; the lock stays locked and tells it nothing more', async () => {
    const fake = await startFakeGuard({ FAKE_GUARD_WELCOME: JSON.stringify(fakeWelcome()) });
    const victim = new GuardLink(await connectGuardChannel(fake.socketPath), computer.trust());
    expect(await victim.hello()).toBeUndefined();
    expect(victim.failure).toBe('unverified');
    expect(victim.token).toBeUndefined();
    // The offline flow the lock would show: nothing is sent, and nothing opens.
    const offline = guardOfflineUnlock(victim, ALICE.user, () => server.test.clock.now());
    expect(offline.available).toBe(false);
    expect(await offline.check('AAAAA-AAAAA')).toMatchObject({ ok: false });
    expect(await victim.unlock('A'.repeat(22), { allowed: false } as never)).toBe('unavailable');
    expect(fake.got).toEqual(['hello']);

    // The lock main.ts builds then: no token, no key, no way to a server; it stays locked and says why.
    const controller = new LockController({
      baseUrl: 'https://not-configured.invalid',
      fetch: () => Promise.reject(new Error('not configured')),
      clientToken: () => undefined,
      osUser: ALICE.user,
      timers: new ManualTimers(),
      random: () => 0.5,
      verdicts: createVerdictHook({
        identity: () => undefined,
        verify: nodeEd25519Verify,
        randomBytes: nodeRandomBytes,
        now: () => server.test.clock.now(),
      }),
      offline,
      guardUnverified: true,
    });
    await controller.start();
    expect(controller.state.phase).not.toBe('unlocked');
    expect(controller.state.notice?.code).toBe('guard_unverified');
    expect(fake.got).toEqual(['hello']);
    controller.dispose();
    victim.close();
  });

  it('attack: a fake guard replays a real welcome captured on another connection (another challenge): refused', async () => {
    const { tap, seen } = tapped(await connectGuardChannel(computer.host.socketPath));
    const captured = new GuardLink(tap, computer.trust());
    expect(await captured.hello()).toMatchObject({ type: 'welcome', clientToken: stub.minted[0]!.token });
    const fake = await startFakeGuard({ FAKE_GUARD_REPLAY: seen[0]! });
    const victim = new GuardLink(await connectGuardChannel(fake.socketPath), computer.trust());
    expect(await victim.hello()).toBeUndefined();
    expect(victim.failure).toBe('unverified');
    captured.close();
    victim.close();
  });

  it("attack: a fake guard in alice's session relays bob's lock's challenge through alice's own lock; the welcome is signed, but for session 1: bob's lock refuses it", async () => {
    // Alice's lock (this process) is hers to drive; the real guard signs her welcome over whatever challenge she sends.
    const relay = await connectGuardChannel(computer.host.socketPath);
    const bobs = new GuardLink(relay, computer.trust({ windowsSessionId: 2 }));
    expect(await bobs.hello()).toBeUndefined();
    expect(bobs.failure).toBe('unverified');
    bobs.close();
  });

  it('a welcome with a swapped serverPublicKey is refused (changed on the way, or signed by the guard for another key than the trust file pins)', async () => {
    const otherKey = stub.otherKey;
    const { tap } = tapped(await connectGuardChannel(computer.host.socketPath), (line) => [
      line.replace(/"serverPublicKey":"[^"]+"/, `"serverPublicKey":"${otherKey}"`),
    ]);
    const swapped = new GuardLink(tap, computer.trust());
    expect(await swapped.hello()).toBeUndefined();
    expect(swapped.failure).toBe('unverified');
    swapped.close();
    // The real guard's welcome, but the trust file pins another key than the guard names.
    const pinnedElsewhere = new GuardLink(
      await connectGuardChannel(computer.host.socketPath),
      computer.trust({ serverPublicKey: otherKey }),
    );
    expect(await pinnedElsewhere.hello()).toBeUndefined();
    expect(pinnedElsewhere.failure).toBe('unverified');
    pinnedElsewhere.close();
  });

  it('a later answer not signed by the guard over this connection is not acted on: a forged "ok" to an offline code opens nothing, and the lock asks nothing more there', async () => {
    const forgedKey = generateKeyPairSync('ed25519').privateKey;
    let challenge = '';
    const transport = await connectGuardChannel(computer.host.socketPath);
    const { tap } = tapped(transport, (line) => {
      const message = JSON.parse(line) as GuardMessage;
      if (message.type !== 'offline-result') return [line];
      // Before the guard's answer: "ok", once signed by another key, once by none at all.
      const ok = { id: message.id, type: 'offline-result' as const, result: { ok: true as const } };
      const signature = sign(null, guardSignedBytes(challenge, ok), forgedKey).toString('base64url');
      return [
        guardLine({ ...ok, signature }),
        guardLine({ ...ok, signature: message.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
        line,
      ];
    });
    const send = tap.send;
    tap.send = (request) => {
      if (request.type === 'hello') challenge = request.challenge;
      send(request);
    };
    const guarded = new GuardLink(tap, computer.trust());
    expect(await guarded.hello()).toMatchObject({ type: 'welcome' });
    const offline = guardOfflineUnlock(guarded, ALICE.user, () => server.test.clock.now());
    await offline.offer();
    expect(await offline.check('AAAAA-AAAAA')).toEqual({ ok: false, reason: 'unavailable' });
    expect(guarded.failure).toBe('unverified');
    expect(guard.state(1)).toBe('locked');
    guarded.close();
  });
});

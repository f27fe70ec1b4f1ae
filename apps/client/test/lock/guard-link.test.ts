import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { connectGuardChannel } from '../../src/guard/channel-socket.js';
import type { GuardService } from '../../src/guard/guard-service.js';
import { GuardLink, guardOfflineUnlock } from '../../src/lock/guard-link.js';
import { LockController, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { createRelockGate } from '../../src/lock/relock.js';
import { createVerdictHook } from '../../src/lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import { ALICE, EMAIL, startGuardedComputer, type GuardedComputer } from '../guard/support/guarded-computer.js';
import type { SrvguardStub } from '../guard/support/srvguard-stub.js';
import { ManualTimers } from '../support/manual-timers.js';
import { otpFromMail, type LiveServer } from '../support/server.js';

let computer: GuardedComputer;
let server: LiveServer;
let stub: SrvguardStub;
let machine: EnrollResult;
let guard: GuardService;
let link: GuardLink;

beforeEach(async () => {
  // The test process itself is the lock the guard started for alice's session.
  computer = await startGuardedComputer({ lockIsThisProcess: true });
  ({ server, stub, machine, guard } = computer);
  link = new GuardLink(await connectGuardChannel(computer.host.socketPath));
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
      identity: () => ({ clientId: welcome!.clientId!, serverPublicKey: welcome!.serverPublicKey }),
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

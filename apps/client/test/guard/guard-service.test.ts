import { createPublicKey, verify } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient, guardSignedBytes, routes, type EnrollResult, type GuardMessage } from '@latchkey/contracts';
import type { GuardService } from '../../src/guard/guard-service.js';
import { nodeRandomBytes } from '../../src/main/node-ed25519.js';
import { otpFromMail, type LiveServer } from '../support/server.js';
import { ALICE, BOB, EMAIL, HELLO, startGuardedComputer, type GuardedComputer } from './support/guarded-computer.js';
import type { ServerFront } from './support/server-front.js';
import type { ProcessHandle, TestHost } from './support/test-host.js';

let computer: GuardedComputer;
let server: LiveServer;
let stub: ServerFront;
let host: TestHost;
let machine: EnrollResult;
let guard: GuardService;

beforeEach(async () => {
  computer = await startGuardedComputer();
  ({ server, stub, host, machine, guard } = computer);
});
afterEach(async () => {
  computer.guard = guard;
  await computer.stop();
});

/** The lock the guard holds in a session, as the test host started it. */
function lockOf(windowsSessionId: number): ProcessHandle {
  const pid = guard.lockPid(windowsSessionId);
  if (pid === undefined) throw new Error(`no lock in session ${windowsSessionId}`);
  return host.handles.get(pid)!;
}

/** Waits (up to `ms`) for the guard to hold a lock other than `pid` in the session. */
async function restartedWithin(windowsSessionId: number, pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const now = guard.lockPid(windowsSessionId);
    if (now !== undefined && now !== pid) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** A real OTP for alice, verified with a nonce the guard issued, the answer handed to the guard by her lock. */
async function aliceUnlocks(lock: ProcessHandle): Promise<{ sessionId: string; token: string }> {
  const welcome = (await lock.ask(HELLO)) as Extract<GuardMessage, { type: 'welcome' }>;
  const token = welcome.clientToken!;
  await server.api(routes.generateOtp, { body: { clientId: machine.clientId, osUser: ALICE.user, email: EMAIL } });
  const mail = await server.test.smtp.waitFor((m) => m.to.includes(EMAIL));
  const { nonce } = (await lock.ask({ type: 'nonce' })) as Extract<GuardMessage, { type: 'nonce' }>;
  const lockApi = createApiClient({ baseUrl: stub.url, fetch, token: () => token });
  const result = await lockApi(routes.verifyOtp, { body: { osUser: ALICE.user, email: EMAIL, otp: otpFromMail(mail), nonce } });
  expect(await lock.ask({ type: 'unlock', nonce, result })).toMatchObject({ type: 'unlocked' });
  return { sessionId: result.sessionId, token };
}

describe('the guard is the authority (test host: real processes, a real socket; the real server behind a recording front)', () => {
  it('starts the lock of each session itself, as that user, and holds it', async () => {
    expect(host.started.map((s) => s.windowsSessionId)).toEqual([1]);
    expect(guard.state(1)).toBe('locked');
    host.logon(BOB);
    await expect.poll(() => guard.lockPid(2)).toBeDefined();
    expect(host.started.map((s) => s.windowsSessionId)).toEqual([1, 2]);
  });

  it('attack 1: a fake offline report and the server list never keep a session open', async () => {
    const lock = lockOf(1);
    // The attack: the computer's token reports an offline unlock for alice, with no response code checked by anyone.
    const machineApi = createApiClient({ baseUrl: server.baseUrl, fetch, token: () => machine.clientToken });
    const now = server.test.clock.now();
    await machineApi(routes.reportOfflineUnlock, {
      body: {
        osUser: ALICE.user,
        challenge: 'ABCD2345',
        challengeIssuedAt: now - 1000,
        usedAt: now,
        keyVersion: machine.offlineKey!.version,
      },
    });
    lock.kill();
    // The server may list her as unlocked; the guard never asked and never will: the lock is back within 2 s.
    expect(await restartedWithin(1, lock.pid, 2_000)).toBe(true);
    expect(guard.state(1)).toBe('locked');
  });

  it('attack 2: after a Windows unlock the guard locks again, tells the server, and restarts the lock when it ends', async () => {
    const { sessionId, token } = await aliceUnlocks(lockOf(1));
    expect(guard.state(1)).toBe('unlocked');
    const lock = lockOf(1);
    host.notify({ kind: 'unlock', windowsSessionId: 1 });
    await expect.poll(() => guard.state(1)).toBe('locked');
    await expect.poll(() => stub.relocked).toEqual([sessionId]);
    expect(await lock.waitFor((m) => m.type === 'relock')).toMatchObject({ type: 'relock', event: 'windows-unlock' });
    // The attack: keep the session alive with heartbeats (the server refuses them once re-locked), end the lock.
    await expect(
      createApiClient({ baseUrl: stub.url, fetch, token: () => token })(routes.heartbeat, { params: { sessionId } }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'session_ended',
    });
    lock.kill();
    expect(await restartedWithin(1, lock.pid, 2_000)).toBe(true);
    expect(guard.state(1)).toBe('locked');
  });

  it('an unlocked session whose lock ends stays open; reconnect and resume lock it again by the policy', async () => {
    await aliceUnlocks(lockOf(1));
    const lock = lockOf(1);
    lock.kill();
    await lock.exited;
    await new Promise((r) => setTimeout(r, 300));
    expect(guard.lockPid(1)).toBeUndefined();
    host.notify({ kind: 'resume' });
    await expect.poll(() => guard.lockPid(1)).toBeDefined();
    expect(guard.state(1)).toBe('locked');
  });

  it('attack 3: a decoy counts for nothing, and the real lock ended is back within 2 seconds', async () => {
    const real = lockOf(1);
    // Latchkey.exe --guard, or a renamed copy, started by alice in her session.
    const decoy = host.spawnAsUser(1);
    const refused = await decoy.ask(HELLO);
    expect(refused).toMatchObject({ type: 'refused', reason: 'not_the_lock' });
    // A decoy relaying a lock's challenge (a second instance of the pipe) gets nothing signed over it.
    const publicKey = createPublicKey(computer.identityKey.privateKey);
    expect(verify(null, guardSignedBytes(HELLO.challenge, refused!), publicKey, Buffer.from(refused!.signature, 'base64url'))).toBe(false);
    expect(await decoy.ask({ type: 'nonce' })).toMatchObject({ type: 'refused', reason: 'not_the_lock' });
    real.kill();
    expect(await restartedWithin(1, real.pid, 2_000)).toBe(true);
    expect(guard.lockPid(1)).not.toBe(decoy.pid);
  });

  it('attack 3: a lock that cannot be started again signs the session out', async () => {
    const real = lockOf(1);
    host.startFails = true;
    real.kill();
    await expect.poll(() => host.signedOut).toEqual([1]);
  });

  it('refuses a verdict over a nonce the guard did not issue, and a guard nonce used twice', async () => {
    const lock = lockOf(1);
    const welcome = (await lock.ask(HELLO)) as Extract<GuardMessage, { type: 'welcome' }>;
    await server.api(routes.generateOtp, { body: { clientId: machine.clientId, osUser: ALICE.user, email: EMAIL } });
    const mail = await server.test.smtp.waitFor((m) => m.to.includes(EMAIL));
    const ownNonce = Buffer.from(nodeRandomBytes(16)).toString('base64url');
    const lockApi = createApiClient({ baseUrl: stub.url, fetch, token: () => welcome.clientToken });
    const result = await lockApi(routes.verifyOtp, { body: { osUser: ALICE.user, email: EMAIL, otp: otpFromMail(mail), nonce: ownNonce } });
    expect(await lock.ask({ type: 'unlock', nonce: ownNonce, result })).toMatchObject({ type: 'refused', reason: 'unknown_nonce' });
    expect(guard.state(1)).toBe('locked');
    // A guard nonce, presented once with a wrong answer, is gone: it cannot be used again.
    const { nonce } = (await lock.ask({ type: 'nonce' })) as Extract<GuardMessage, { type: 'nonce' }>;
    expect(await lock.ask({ type: 'unlock', nonce, result })).toMatchObject({ type: 'refused', reason: 'invalid_verdict' });
    expect(await lock.ask({ type: 'unlock', nonce, result })).toMatchObject({ type: 'refused', reason: 'unknown_nonce' });
    expect(guard.state(1)).toBe('locked');
  });

  it('attack 5: each user of a shared computer gets a token of their own, never the machine token', async () => {
    host.logon(BOB);
    await expect.poll(() => guard.lockPid(2)).toBeDefined();
    const a = (await lockOf(1).ask(HELLO)) as Extract<GuardMessage, { type: 'welcome' }>;
    const b = (await lockOf(2).ask(HELLO)) as Extract<GuardMessage, { type: 'welcome' }>;
    expect([a.osUser, b.osUser]).toEqual([ALICE.user, BOB.user]);
    expect(a.clientToken).toBeDefined();
    expect(a.clientToken).not.toBe(b.clientToken);
    expect([a.clientToken, b.clientToken]).not.toContain(machine.clientToken);
    expect(stub.minted.map((m) => m.osUser)).toEqual([ALICE.user, BOB.user]);
  });

  it('a line that is not a valid message closes the connection', async () => {
    const lock = lockOf(1);
    await lock.connected;
    lock.sendRaw('{"id":1,"type":"unlock","nonce":"x"}\n');
    expect(await lock.ask({ type: 'nonce' })).toBeUndefined();
  });
});

describe('attack 4: offline unlock is checked by the guard with the machine key', () => {
  async function responseFor(challenge: string): Promise<string> {
    const { responseCode } = await server.api(routes.offlineResponse, {
      params: { clientId: machine.clientId },
      body: { osUser: ALICE.user, challenge },
    });
    return responseCode;
  }
  const offer = async (lock: ProcessHandle) =>
    ((await lock.ask({ type: 'offline-offer' })) as Extract<GuardMessage, { type: 'offline-offer' }>).offer!;
  const check = async (lock: ProcessHandle, responseCode: string) =>
    ((await lock.ask({ type: 'offline-check', responseCode })) as Extract<GuardMessage, { type: 'offline-result' }>).result;

  it('the helpdesk response opens the session, and the guard reports it', async () => {
    const lock = lockOf(1);
    const { challenge } = await offer(lock);
    expect(await check(lock, await responseFor(challenge!))).toEqual({ ok: true });
    expect(guard.state(1)).toBe('unlocked');
    // Reported by the guard with the machine's token; the session it runs under is the guard's to relock.
    await expect
      .poll(async () => (await server.api(routes.listOfflineUnlocks, {})).find((u) => u.challenge === challenge && u.reportedAt !== null))
      .toMatchObject({ osUser: ALICE.user, sessionId: expect.any(String) });
  });

  it('letting a challenge expire does not reset the wrong responses, nor does restarting the guard', async () => {
    const lock = lockOf(1);
    const first = await offer(lock);
    for (let i = 0; i < 4; i++) expect(await check(lock, 'AAAAA-AAAAA')).toMatchObject({ ok: false, reason: 'wrong' });
    // The attack: wait for a fresh challenge (and restart the guard) to get 5 more tries.
    server.test.clock.advance(16 * 60_000);
    await guard.stop();
    guard = computer.newGuard();
    await guard.start();
    const again = lockOf(1);
    const second = await offer(again);
    expect(second.challenge).not.toBe(first.challenge);
    expect(second.attemptsLeft).toBe(1);
    expect(await check(again, 'AAAAA-AAAAA')).toMatchObject({ ok: false, reason: 'burnt' });
    expect(guard.state(1)).toBe('locked');
  });

  it('ten wrong responses in a day stop offline unlock for the day, across challenges', async () => {
    const lock = lockOf(1);
    for (let round = 0; round < 2; round++) {
      await offer(lock);
      for (let i = 0; i < 5; i++) await check(lock, 'AAAAA-AAAAA');
      server.test.clock.advance(5 * 60 * 60_000); // past the wait after a burnt challenge
    }
    const stopped = await offer(lock);
    expect(stopped.challenge).toBeUndefined();
    expect(stopped.waitUntil).toBeGreaterThan(server.test.clock.now() + 10 * 60 * 60_000);
  });
});

describe('who must unlock: the guard asks the real server’s lock-decision itself at logon (a forged "no lock" comes from a forging front)', () => {
  it('starts no lock for an exempt account on a verdict it checked, and a lock for a forged "no lock"', async () => {
    await computer.stop();
    computer = await startGuardedComputer({ lockDecision: { exempt: ['CORP\\svc-backup'], forged: ['CORP\\mallory'] } });
    ({ server, stub, host, machine, guard } = computer);
    host.logon({ windowsSessionId: 3, user: 'CORP\\svc-backup', logonKind: 'remote' });
    host.logon({ windowsSessionId: 4, user: 'CORP\\mallory', logonKind: 'local' });
    await expect.poll(() => guard.state(3)).toBe('exempt');
    await expect.poll(() => guard.lockPid(4)).toBeDefined();
    expect(guard.state(4)).toBe('locked');
    expect(guard.lockPid(3)).toBeUndefined();
    // alice (there before the guard started) was asked too, and is locked.
    expect(guard.lockPid(1)).toBeDefined();
  });
});

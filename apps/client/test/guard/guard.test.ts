import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, routes, type ApiClient } from '@latchkey/contracts';
import { createGuard, type GuardHost } from '../../src/guard/guard.js';
import type { ProcessRow } from '../../src/guard/windows-sessions.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import { enrollGuard } from '../../src/main/enrollment.js';
import { ENROLLMENT_KEY } from '@latchkey/server/test-app';
import { otpFromMail, startServer, type LiveServer } from '../support/server.js';
import { testNonce } from '@latchkey/test-support';

const COMPUTER = 'PC-GUARD-01';
let server: LiveServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.stop();
});

/** A fake Windows: process rows the test edits, and a record of what the guard asked it to do. */
function fakeWindows() {
  const LOCK_PATH = 'C:\\Program Files\\Latchkey\\Latchkey.exe';
  const exe = new Map<number, string>([
    [700, LOCK_PATH],
    [4410, 'C:\\Windows\\explorer.exe'],
    [5120, 'c:/program files/latchkey/LATCHKEY.EXE'],
  ]);
  const asked: number[][] = [];
  const rows: ProcessRow[] = [
    { image: 'Latchkey.exe', pid: 700, windowsSessionId: 0, user: 'NT AUTHORITY\\SYSTEM' },
    { image: 'explorer.exe', pid: 4410, windowsSessionId: 1, user: 'CORP\\alice' },
    { image: 'Latchkey.exe', pid: 5120, windowsSessionId: 1, user: 'CORP\\alice' },
  ];
  const done: string[] = [];
  const host: GuardHost & { restartWorks: boolean } = {
    restartWorks: true,
    async listProcesses() {
      return [...rows];
    },
    async executablePaths(pids) {
      asked.push([...pids]);
      return new Map(pids.filter((pid) => exe.has(pid)).map((pid) => [pid, exe.get(pid)!]));
    },
    async restartLock() {
      done.push('restart');
      if (!host.restartWorks) throw new Error('schtasks failed');
    },
    async signOut(id) {
      done.push(`sign-out ${id}`);
    },
    log: () => undefined,
  };
  const killLock = () =>
    rows.splice(
      rows.findIndex((r) => r.pid === 5120),
      1,
    );
  return { rows, done, host, killLock, exe, asked };
}

/** The guard's own Client, enrolled the way `--guard` enrolls it. */
async function guardClient(pinned?: string) {
  const anonymous = createApiClient({ baseUrl: server.baseUrl, fetch });
  const answer = await enrollGuard(anonymous, { enrollmentKey: ENROLLMENT_KEY, computerName: COMPUTER }, undefined);
  const api = createApiClient({ baseUrl: server.baseUrl, fetch, token: () => answer.clientToken });
  return { answer, api, identity: () => ({ clientId: answer.clientId, serverPublicKey: pinned ?? answer.serverPublicKey }) };
}

function guardFor(
  fake: ReturnType<typeof fakeWindows>,
  client: { api: ApiClient; identity: () => { clientId: string; serverPublicKey: string } },
) {
  return createGuard({
    host: fake.host,
    api: client.api,
    identity: client.identity,
    verify: nodeEd25519Verify,
    randomBytes: nodeRandomBytes,
    now: () => server.test.clock.now(),
    lockPath: 'C:\\Program Files\\Latchkey\\Latchkey.exe',
    restartGraceMs: 20_000,
  });
}

/** alice unlocks her lock (a separate Client on the same computer) with a real OTP. */
async function aliceUnlocks() {
  const lock = await server.test.enroll(COMPUTER);
  const alice = { osUser: 'CORP\\alice', email: 'alice@corp.example.com' };
  await server.api(routes.generateOtp, { body: { clientId: lock.clientId, ...alice } });
  const mail = await server.test.smtp.waitFor((m) => m.to.includes(alice.email));
  await server.test.api(lock.clientToken)(routes.verifyOtp, { body: { ...alice, otp: otpFromMail(mail), nonce: testNonce() } });
}

describe('the guard against the real server and a fake Windows', () => {
  it('enrolls as a guard: its computer is no duplicate of its lock, and its token cannot stand in for the lock', async () => {
    const lock = await server.test.enroll(COMPUTER);
    const { answer, api } = await guardClient();
    expect(answer.role).toBe('guard');
    const clients = await server.api(routes.listClients, {});
    expect(clients.map((c) => [c.clientId, c.role, c.duplicateName]).sort()).toEqual(
      [
        [lock.clientId, 'lock', false],
        [answer.clientId, 'guard', false],
      ].sort(),
    );
    // A rogue lock with the same name is still flagged.
    const rogue = await server.test.enroll(COMPUTER.toLowerCase());
    const after = await server.api(routes.listClients, {});
    expect(
      after
        .filter((c) => c.duplicateName)
        .map((c) => c.clientId)
        .sort(),
    ).toEqual([lock.clientId, rogue.clientId].sort());

    const refused = await api(routes.createOtpRequest, {
      body: { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(403);
  });

  it('does nothing while every session has its lock, and does not even ask the server', async () => {
    const fake = fakeWindows();
    const guard = guardFor(fake, await guardClient());
    expect(await guard.tick()).toEqual([]);
    expect(fake.done).toEqual([]);
  });

  it('restarts a lock ended before unlock at once, and signs the session out when it does not come back', async () => {
    const fake = fakeWindows();
    const guard = guardFor(fake, await guardClient());
    fake.killLock();
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['restart-lock']);
    expect(fake.done).toEqual(['restart']);
    server.test.clock.advance(10_000);
    expect(await guard.tick()).toEqual([]);
    server.test.clock.advance(10_000);
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['sign-out']);
    expect(fake.done).toEqual(['restart', 'sign-out 1']);
  });

  it('is not fooled by another program named Latchkey.exe: only the installed executable counts', async () => {
    const fake = fakeWindows();
    const guard = guardFor(fake, await guardClient());
    fake.killLock();
    fake.rows.push({ image: 'Latchkey.exe', pid: 6666, windowsSessionId: 1, user: 'CORP\\alice' });
    fake.exe.set(6666, 'C:\\Users\\alice\\AppData\\Local\\Temp\\Latchkey.exe');
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['restart-lock']);
    // Paths are asked once per process, not on every pass.
    await guard.tick();
    expect(fake.asked).toEqual([[6666]]);
  });

  it('signs out at once when the lock cannot be restarted', async () => {
    const fake = fakeWindows();
    fake.host.restartWorks = false;
    const guard = guardFor(fake, await guardClient());
    fake.killLock();
    await guard.tick();
    expect(fake.done).toEqual(['restart', 'sign-out 1']);
  });

  it('leaves a session whose user unlocked with an OTP (signed answer), but not once the lock stops being heard from', async () => {
    const fake = fakeWindows();
    const guard = guardFor(fake, await guardClient());
    await aliceUnlocks();
    fake.killLock();
    expect(await guard.tick()).toEqual([]);
    // No heartbeats for five minutes: the session no longer counts as unlocked.
    server.test.clock.advance(5 * 60_000 + 1);
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['restart-lock']);
  });

  it('trusts no answer signed by another key than the pinned one: the lock is restarted', async () => {
    const fake = fakeWindows();
    const wrongPin = randomBytes(32).toString('base64url');
    const guard = guardFor(fake, await guardClient(wrongPin));
    await aliceUnlocks();
    fake.killLock();
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['restart-lock']);
  });

  it('fails closed when the server cannot be reached', async () => {
    const fake = fakeWindows();
    const client = await guardClient();
    const guard = guardFor(fake, { ...client, api: createApiClient({ baseUrl: 'http://127.0.0.1:1', fetch }) });
    await aliceUnlocks();
    fake.killLock();
    expect((await guard.tick()).map((a) => a.kind)).toEqual(['restart-lock']);
  });
});

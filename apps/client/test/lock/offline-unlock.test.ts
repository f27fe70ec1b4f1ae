import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SafeStorage } from 'electron';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  deriveOfflineUserKey,
  routes,
  type EnrollResult,
  type LockState,
  type OfflineKey,
} from '@latchkey/contracts';
import { LockController, fetchWithTimeout, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { OfflineUnlock } from '../../src/lock/offline-unlock.js';
import { createOfflineKeyStore, nodeHmacSha256, nodeRandomBytes, offlineSlots } from '../../src/main/offline-store.js';
import { ManualTimers } from '../support/manual-timers.js';
import { until, untilOffered } from '../support/offline-offer.js';
import { startServer, type LiveServer } from '../support/server.js';
import { startProxy, type SwitchableProxy } from '../support/switchable-proxy.js';

const OS_USER = 'CORP\\alice';
const MINUTE = 60_000;

let server: LiveServer;
let proxy: SwitchableProxy;
let timers: ManualTimers;
let dir: string;
let enrolled: EnrollResult;
const controllers: LockController[] = [];

/** safeStorage as the key store sees it; the encryption itself is Electron's business. */
const fakeSafeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (text: string) => Buffer.from(text, 'utf8'),
  decryptString: (data: Buffer) => data.toString('utf8'),
} as unknown as SafeStorage;

beforeEach(async () => {
  server = await startServer();
  proxy = await startProxy(server.baseUrl);
  timers = new ManualTimers();
  dir = mkdtempSync(join(tmpdir(), 'latchkey-offline-'));
  // v1.2: offline unlock needs the guard, which holds the machine Client's key (SYSTEM only) and
  // checks each user's codes with that user's key derived from it; this lock stands in for that check.
  enrolled = await server.enrollAnswer('PC-OFFLINE-01', 'machine');
});
afterEach(async () => {
  for (const c of controllers.splice(0)) c.dispose();
  await proxy.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function userKey(machine: OfflineKey): Promise<OfflineKey> {
  const derived = await deriveOfflineUserKey(nodeHmacSha256, base64UrlToBytes(machine.key), machine.clientId, OS_USER);
  return { ...machine, key: bytesToBase64Url(derived) };
}

/** The lock as Electron's main builds it: offline key in the key store, state in two files. */
async function lock(options: { acceptEnrollmentKey?: boolean } = {}) {
  const offline = new OfflineUnlock({
    osUser: OS_USER,
    keys: createOfflineKeyStore(join(dir, 'userData'), fakeSafeStorage, 'linux'),
    slots: offlineSlots(join(dir, 'userData'), join(dir, 'appData')),
    hmac: nodeHmacSha256,
    randomBytes: nodeRandomBytes,
    now: () => timers.now(),
  });
  // As the guard: this user's key, derived from the machine key (what the server answers for a machine Client).
  if (options.acceptEnrollmentKey) await offline.acceptKey(await userKey(enrolled.offlineKey!));
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: proxy.url,
    fetch: fetchWithTimeout(fetch, 5_000),
    clientToken: () => enrolled.clientToken,
    osUser: OS_USER,
    computerName: 'PC-OFFLINE-01',
    timers,
    random: () => 0.5,
    heartbeatIntervalMs: MINUTE,
    backoff: { initialMs: 1_000, maxMs: 30_000 },
    offline,
    verdicts: server.verdictsFor(enrolled.clientToken),
    onUnlocked: (session) => unlocked.push(session),
  });
  controllers.push(controller);
  return { controller, unlocked, offline };
}

async function helpdeskResponse(challenge: string, osUser = OS_USER): Promise<string> {
  const res = await server.api(routes.offlineResponse, {
    params: { clientId: enrolled.clientId },
    body: { osUser, challenge: `${challenge.slice(0, 4)}-${challenge.slice(4)}`, reason: 'test call' },
  });
  return res.responseCode;
}

async function showChallenge(controller: LockController): Promise<string> {
  await controller.showOffline();
  expect(controller.state.popup).toBe('offline');
  const challenge = controller.state.offline?.challenge;
  expect(challenge).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  return challenge!;
}

const WRONG = 'AAAAA-AAAAA';

describe('offline unlock, lock controller against the real server behind a network that can be cut', () => {
  it('offers the helpdesk after the first failed attempts, unlocks with its response, and reports the unlock when back online', async () => {
    const { controller, unlocked } = await lock({ acceptEnrollmentKey: true });
    await controller.start();
    expect(controller.state).toMatchObject({ phase: 'locked' });
    expect(controller.state.offline).toBeUndefined();

    proxy.cut();
    await controller.retryNow();
    expect(controller.state.phase).toBe('offline');
    expect(controller.state.offline).toBeUndefined(); // not at once
    await untilOffered(controller, timers);
    expect(controller.state.retry?.attempt).toBe(2);

    const challenge = await showChallenge(controller);
    expect(controller.state.offline).toMatchObject({ attemptsLeft: 5, expiresAt: timers.now() + 15 * MINUTE });
    // A code the helpdesk made for another user of this computer does not open it.
    await controller.offlineUnlock({ responseCode: await helpdeskResponse(challenge, 'CORP\\bob') });
    expect(controller.state).toMatchObject({ phase: 'offline', notice: { code: 'offline_wrong' }, offline: { attemptsLeft: 4 } });
    const code = await helpdeskResponse(challenge);
    // Typed as it is heard: lower case, grouped.
    await controller.offlineUnlock({ responseCode: `${code.slice(0, 5).toLowerCase()} ${code.slice(5)}` });
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toEqual([{ email: '', via: 'offline' }]);
    expect(controller.sessionId).toBeUndefined();

    // Back online: the report goes out with the next attempt and the session gets its id.
    proxy.restore();
    timers.advance(MINUTE);
    await until(() => controller.sessionId !== undefined);
    const sessions = await server.api(routes.listSessions, {});
    expect(sessions.find((s) => s.sessionId === controller.sessionId)).toMatchObject({ via: 'offline', osUser: OS_USER });
    const audit = await server.api(routes.listAudit, { query: { type: 'offline_unlock.used' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toContain(challenge);

    // Heartbeats now run for the offline session.
    expect(timers.delays()).toContain(MINUTE);
  });

  it('reports an unlock left from an earlier sign-in as an ended session, and runs the current one under its own id', async () => {
    proxy.cut();
    const first = await lock({ acceptEnrollmentKey: true });
    await first.controller.start();
    await untilOffered(first.controller, timers);
    const earlier = await showChallenge(first.controller);
    await first.controller.offlineUnlock({ responseCode: await helpdeskResponse(earlier) });
    expect(first.controller.state.phase).toBe('unlocked');
    first.controller.dispose(); // logged off before the network came back

    const second = await lock();
    await second.controller.start();
    await untilOffered(second.controller, timers);
    const now = await showChallenge(second.controller);
    await second.controller.offlineUnlock({ responseCode: await helpdeskResponse(now) });
    expect(second.controller.state.phase).toBe('unlocked');

    proxy.restore();
    timers.advance(MINUTE);
    await until(() => second.controller.sessionId !== undefined);
    const sessions = await server.api(routes.listSessions, {});
    const offline = sessions.filter((s) => s.via === 'offline');
    expect(offline).toHaveLength(2);
    const unlocks = await server.api(routes.listOfflineUnlocks, {});
    expect(unlocks.find((u) => u.challenge === now)?.sessionId).toBe(second.controller.sessionId);
    const current = offline.find((s) => s.sessionId === second.controller.sessionId)!;
    expect(current.endedAt).toBeNull();
    const old = () =>
      (
        server.test.app.db!.prepare('SELECT ended_at AS e FROM sessions WHERE via = ? AND id != ?').get('offline', current.sessionId) as {
          e: number | null;
        }
      ).e;
    await until(() => old() !== null);
  });

  it('uses a response once: after a restart the old code does not open the lock again', async () => {
    const first = await lock({ acceptEnrollmentKey: true });
    proxy.cut();
    await first.controller.start();
    await untilOffered(first.controller, timers);
    const challenge = await showChallenge(first.controller);
    const code = await helpdeskResponse(challenge);
    await first.controller.offlineUnlock({ responseCode: code });
    expect(first.controller.state.phase).toBe('unlocked');
    first.controller.dispose();

    const second = await lock();
    await second.controller.start();
    await untilOffered(second.controller, timers);
    const next = await showChallenge(second.controller);
    expect(next).not.toBe(challenge);
    await second.controller.offlineUnlock({ responseCode: code });
    expect(second.controller.state).toMatchObject({ phase: 'offline', notice: { code: 'offline_wrong' }, offline: { attemptsLeft: 4 } });
  });

  it('burns the challenge after 5 wrong responses, counted across restarts of the controller, with a growing wait', async () => {
    proxy.cut();
    const first = await lock({ acceptEnrollmentKey: true });
    await first.controller.start();
    await untilOffered(first.controller, timers);
    const challenge = await showChallenge(first.controller);
    const code = await helpdeskResponse(challenge);
    const firstWrongAt = timers.now();
    for (let i = 0; i < 2; i++) await first.controller.offlineUnlock({ responseCode: WRONG });
    expect(first.controller.state.offline?.attemptsLeft).toBe(3);
    first.controller.dispose();

    // The lock restarts (killed, logged off and on): the same challenge, the same count.
    const second = await lock();
    await second.controller.start();
    await untilOffered(second.controller, timers);
    expect(await showChallenge(second.controller)).toBe(challenge);
    expect(second.controller.state.offline?.attemptsLeft).toBe(3);
    for (let i = 0; i < 3; i++) await second.controller.offlineUnlock({ responseCode: WRONG });
    const burntAt = timers.now();
    expect(second.controller.state).toMatchObject({
      popup: 'offline',
      notice: { code: 'offline_burnt' },
      offline: { attemptsLeft: 0, waitUntil: burntAt + MINUTE },
    });
    expect(second.controller.state.offline?.challenge).toBeUndefined();
    // The right response for the burnt challenge is no use now.
    await second.controller.offlineUnlock({ responseCode: code });
    expect(second.controller.state.phase).toBe('offline');

    // After the wait, a new challenge; burning it too is the 10th wrong response of the day (v1.2):
    // no more offline unlock until 24 hours after the first.
    timers.advance(MINUTE);
    await until(() => second.controller.state.offline?.challenge !== undefined);
    for (let i = 0; i < 5; i++) await second.controller.offlineUnlock({ responseCode: WRONG });
    expect(second.controller.state.offline?.waitUntil).toBe(firstWrongAt + 24 * 60 * MINUTE);
  });

  it('keeps the count when one copy of the state is deleted or forged, and makes a long wait when both are gone', async () => {
    proxy.cut();
    const first = await lock({ acceptEnrollmentKey: true });
    await first.controller.start();
    await untilOffered(first.controller, timers);
    const challenge = await showChallenge(first.controller);
    for (let i = 0; i < 3; i++) await first.controller.offlineUnlock({ responseCode: WRONG });
    first.controller.dispose();

    const primary = join(dir, 'userData', 'offline-state.json');
    rmSync(primary);
    const second = await lock();
    await second.controller.start();
    await untilOffered(second.controller, timers);
    expect(await showChallenge(second.controller)).toBe(challenge);
    expect(second.controller.state.offline?.attemptsLeft).toBe(2);
    second.controller.dispose();

    // A hand-edited copy (count set back to 0, seq raised) fails its MAC and is ignored.
    const saved = JSON.parse(readFileSync(primary, 'utf8')) as { body: string; mac: string };
    const body = JSON.parse(saved.body) as { seq: number; challenge: { wrong: number } };
    body.seq += 100;
    body.challenge.wrong = 0;
    writeFileSync(primary, JSON.stringify({ body: JSON.stringify(body), mac: saved.mac }));
    const third = await lock();
    await third.controller.start();
    await untilOffered(third.controller, timers);
    await showChallenge(third.controller);
    expect(third.controller.state.offline?.attemptsLeft).toBe(2);
    third.controller.dispose();

    // Both copies deleted: no fresh start, a long wait instead.
    rmSync(primary);
    rmSync(join(dir, 'appData'), { recursive: true });
    const fourth = await lock();
    const loadedAt = timers.now();
    await fourth.controller.start();
    await untilOffered(fourth.controller, timers);
    await fourth.controller.showOffline();
    expect(fourth.controller.state.offline).toMatchObject({ attemptsLeft: 0, waitUntil: loadedAt + 60 * MINUTE });
    expect(fourth.controller.state.notice?.code).toBe('offline_waiting');
  });

  it('expires a challenge after 15 minutes (manual clock) and shows a new one', async () => {
    proxy.cut();
    const { controller } = await lock({ acceptEnrollmentKey: true });
    await controller.start();
    await untilOffered(controller, timers);
    const challenge = await showChallenge(controller);
    const code = await helpdeskResponse(challenge);
    timers.advance(15 * MINUTE);
    await until(() => controller.state.offline?.challenge !== challenge);
    expect(controller.state.offline?.challenge).toMatch(/^[0-9A-Z]{8}$/);
    await controller.offlineUnlock({ responseCode: code });
    expect(controller.state.phase).not.toBe('unlocked');
  });

  it('withdraws the offer when the server answers again: the normal flow returns', async () => {
    proxy.cut();
    const { controller } = await lock({ acceptEnrollmentKey: true });
    await controller.start();
    await untilOffered(controller, timers);
    await showChallenge(controller);
    proxy.restore();
    await controller.retryNow();
    expect(controller.state).toMatchObject({ phase: 'locked', popup: 'lock' });
    expect(controller.state.offline).toBeUndefined();
  });

  it('a lock enrolled from a user profile gets no offline key (v1.2: offline unlock needs the guard) and never offers it', async () => {
    enrolled = await server.enrollAnswer('PC-PROFILE-01');
    expect(enrolled.offlineKey).toBeUndefined();
    const { controller } = await lock();
    await controller.start();
    proxy.cut();
    for (let i = 0; i < 3; i++) {
      await controller.retryNow();
      await until(() => controller.state.busy === undefined);
    }
    expect(controller.state.retry?.attempt).toBeGreaterThanOrEqual(3);
    expect((controller.state as LockState).offline).toBeUndefined();
  });

  it('does not offer offline unlock when the last policy it saw turned it off, even after a restart', async () => {
    await server.api(routes.putSettings, { body: { allowOfflineUnlock: false } });
    const first = await lock({ acceptEnrollmentKey: true });
    await first.controller.start();
    await until(() => first.controller.state.phase === 'locked');
    first.controller.dispose();
    proxy.cut();
    const second = await lock();
    await second.controller.start();
    for (let i = 0; i < 3; i++) {
      timers.advance(timers.delays()[0] ?? 0);
      await until(() => second.controller.state.busy === undefined);
    }
    expect(second.controller.state.retry?.attempt).toBeGreaterThanOrEqual(3);
    expect((second.controller.state as LockState).offline).toBeUndefined();
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient, routes, type OfflineKey } from '@latchkey/contracts';
import { LockController, fetchWithTimeout, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { OfflineUnlock } from '../../src/lock/offline-unlock.js';
import { createVerdictHook } from '../../src/lock/verdict.js';
import { createGuard, type GuardHost } from '../../src/guard/guard.js';
import type { ProcessRow } from '../../src/guard/windows-sessions.js';
import { enrollGuard } from '../../src/main/enrollment.js';
import {
  enrollMachine,
  MACHINE_CONFIG_ACL,
  MACHINE_TOKEN_ACL,
  machineOfflineKeyPath,
  machineTokenPath,
  machineUserKeyPath,
  parseMachineToken,
  parseOfflineKeyFile,
  saveMachineEnrollment,
  type MachineToken,
} from '../../src/main/machine-enrollment.js';
import { createHandedOverKeyStore, nodeHmacSha256, offlineSlots } from '../../src/main/offline-store.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import { ENROLLMENT_KEY } from '@latchkey/server/test-app';
import { ManualTimers } from '../support/manual-timers.js';
import { until, untilOffered } from '../support/offline-offer.js';
import { startServer, type LiveServer } from '../support/server.js';
import { startProxy, type SwitchableProxy } from '../support/switchable-proxy.js';

const COMPUTER = 'PC-MACHINE-OFFLINE';
const ALICE = 'CORP\\alice';
const BOB = 'CORP\\bob';
const LOCK_PATH = 'C:\\Program Files\\Latchkey\\Latchkey.exe';
const MINUTE = 60_000;

let server: LiveServer;
let proxy: SwitchableProxy;
let timers: ManualTimers;
let dir: string;
let configPath: string;
const controllers: LockController[] = [];

beforeEach(async () => {
  server = await startServer();
  proxy = await startProxy(server.baseUrl);
  timers = new ManualTimers();
  dir = mkdtempSync(join(tmpdir(), 'latchkey-machine-offline-'));
  configPath = join(dir, 'ProgramData', 'Latchkey', 'client.json');
  mkdirSync(dirname(configPath), { recursive: true });
});
afterEach(async () => {
  for (const c of controllers.splice(0)) c.dispose();
  await proxy.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `Latchkey.exe --enroll-machine`, elevated: enroll, then write the two files with their ACLs. */
async function installerEnrolls(): Promise<{ token: MachineToken; protectedWith: Map<string, readonly string[]> }> {
  const enrolled = await enrollMachine(
    { serverUrl: server.baseUrl, serverUrls: [server.baseUrl], enrollmentKey: ENROLLMENT_KEY },
    COMPUTER,
    fetch,
  );
  const protectedWith = new Map<string, readonly string[]>();
  saveMachineEnrollment(configPath, enrolled, (path, acl) => protectedWith.set(path, acl));
  return { token: parseMachineToken(readFileSync(machineTokenPath(configPath), 'utf8')), protectedWith };
}

/** The guard as `--guard` runs it, on a fake Windows where alice and bob are signed in with their locks. */
async function guardPass() {
  const rows: ProcessRow[] = [
    { image: 'explorer.exe', pid: 4410, windowsSessionId: 1, user: ALICE },
    { image: 'Latchkey.exe', pid: 5120, windowsSessionId: 1, user: ALICE },
    { image: 'explorer.exe', pid: 6410, windowsSessionId: 2, user: BOB },
    { image: 'Latchkey.exe', pid: 7120, windowsSessionId: 2, user: BOB },
  ];
  const host: GuardHost = {
    listProcesses: async () => rows,
    executablePaths: async (pids) => new Map(pids.map((pid) => [pid, LOCK_PATH])),
    restartLock: async () => undefined,
    signOut: async () => undefined,
    // What guard-main does, less icacls: the user's own file under the machine folder.
    async provideOfflineKey(osUser, key) {
      const file = machineUserKeyPath(configPath, osUser);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(key));
      renameSync(`${file}.tmp`, file);
    },
    log: () => undefined,
  };
  const enrolled = await enrollGuard(
    createApiClient({ baseUrl: server.baseUrl, fetch }),
    { enrollmentKey: ENROLLMENT_KEY, computerName: COMPUTER },
    undefined,
  );
  const guard = createGuard({
    host,
    api: createApiClient({ baseUrl: server.baseUrl, fetch, token: () => enrolled.clientToken }),
    identity: () => enrolled,
    verify: nodeEd25519Verify,
    randomBytes: nodeRandomBytes,
    now: () => server.test.clock.now(),
    lockPath: LOCK_PATH,
    machineOfflineKey: () => parseOfflineKeyFile(readFileSync(machineOfflineKeyPath(configPath), 'utf8')),
    hmac: nodeHmacSha256,
  });
  expect(await guard.tick()).toEqual([]);
}

/** The per-user lock as main builds it with a machine token: the key the guard wrote for this user. */
function lockOf(token: MachineToken, osUser: string) {
  const userDir = join(dir, 'profiles', osUser.replace('\\', '_'));
  const offline = new OfflineUnlock({
    osUser,
    keys: createHandedOverKeyStore(machineUserKeyPath(configPath, osUser)),
    slots: offlineSlots(join(userDir, 'userData'), join(userDir, 'appData')),
    hmac: nodeHmacSha256,
    randomBytes: nodeRandomBytes,
    now: () => timers.now(),
  });
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: proxy.url,
    fetch: fetchWithTimeout(fetch, 5_000),
    clientToken: () => token.clientToken,
    osUser,
    computerName: COMPUTER,
    timers,
    random: () => 0.5,
    heartbeatIntervalMs: MINUTE,
    backoff: { initialMs: 1_000, maxMs: 30_000 },
    offline,
    verdicts: createVerdictHook({
      identity: () => token,
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: () => server.test.clock.now(),
    }),
    onUnlocked: (session) => unlocked.push(session),
  });
  controllers.push(controller);
  return { controller, unlocked };
}

async function helpdeskResponse(clientId: string, osUser: string, challenge: string): Promise<string> {
  const res = await server.api(routes.offlineResponse, { params: { clientId }, body: { osUser, challenge, reason: 'server down' } });
  return res.responseCode;
}

describe('offline unlock on an installer-enrolled computer (--enroll-machine), against the real server', () => {
  it('the installer keeps the offline key from users, the guard hands each user their own, and the helpdesk opens the lock', async () => {
    const { token, protectedWith } = await installerEnrolls();
    const machineKeyFile = machineOfflineKeyPath(configPath);
    const machineKey = parseOfflineKeyFile(readFileSync(machineKeyFile, 'utf8'))!;
    expect(machineKey).toMatchObject({ clientId: token.clientId, version: 1 });
    // The key: SYSTEM and Administrators only; the copy Users read holds no key.
    expect(protectedWith.get(machineKeyFile)).toEqual(MACHINE_CONFIG_ACL);
    expect(protectedWith.get(machineTokenPath(configPath))).toEqual(MACHINE_TOKEN_ACL);
    expect(readFileSync(machineTokenPath(configPath), 'utf8')).not.toContain(machineKey.key);

    // alice's lock starts before the guard has written her key, and the server never sends it.
    const { controller, unlocked } = lockOf(token, ALICE);
    await controller.start();
    expect(controller.state.phase).toBe('locked');
    expect(existsSync(machineUserKeyPath(configPath, ALICE))).toBe(false);

    await guardPass();
    const aliceKey = parseOfflineKeyFile(readFileSync(machineUserKeyPath(configPath, ALICE), 'utf8'))!;
    const bobKey = parseOfflineKeyFile(readFileSync(machineUserKeyPath(configPath, BOB), 'utf8'))!;
    expect(aliceKey).toMatchObject({ clientId: token.clientId, version: 1 });
    expect(new Set([aliceKey.key, bobKey.key, machineKey.key]).size).toBe(3);

    // The server goes away: after the first failed attempts the lock offers the helpdesk.
    proxy.cut();
    await controller.retryNow();
    expect(controller.state.phase).toBe('offline');
    await untilOffered(controller, timers);
    await controller.showOffline();
    const challenge = controller.state.offline?.challenge;
    expect(challenge).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(controller.state.offline?.attemptsLeft).toBe(5);

    // A code the helpdesk made for bob on this computer does not open alice's lock.
    await controller.offlineUnlock({ responseCode: await helpdeskResponse(token.clientId, BOB, challenge!) });
    expect(controller.state).toMatchObject({ phase: 'offline', notice: { code: 'offline_wrong' }, offline: { attemptsLeft: 4 } });
    await controller.offlineUnlock({ responseCode: await helpdeskResponse(token.clientId, ALICE, challenge!) });
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toEqual([{ email: '', via: 'offline' }]);

    // Back online, the unlock is reported under the machine Client and becomes a session.
    proxy.restore();
    timers.advance(MINUTE);
    await until(() => controller.sessionId !== undefined);
    const sessions = await server.api(routes.listSessions, {});
    expect(sessions.find((s) => s.sessionId === controller.sessionId)).toMatchObject({ via: 'offline', osUser: ALICE });
  });

  it('a per-user key handed over with no state yet starts clean, not as tampering', async () => {
    const { token } = await installerEnrolls();
    await guardPass();
    const { controller } = lockOf(token, ALICE);
    proxy.cut();
    await controller.start();
    await untilOffered(controller, timers);
    expect(controller.state.offline).toMatchObject({ attemptsLeft: 5 });
    expect(controller.state.offline?.waitUntil).toBeUndefined();
    const key: OfflineKey | undefined = parseOfflineKeyFile(readFileSync(machineUserKeyPath(configPath, ALICE), 'utf8'));
    expect(key?.clientId).toBe(token.clientId);
  });
});

import { createApiClient, routes, type EnrollResult } from '@latchkey/contracts';
import { ENROLLMENT_KEY } from '@latchkey/server/test-app';
import { createGuardService, type GuardService } from '../../../src/guard/guard-service.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../../src/main/node-ed25519.js';
import { nodeHmacSha256 } from '../../../src/main/offline-store.js';
import { loadOrCreateGuardIdentity } from '../../../src/main/lock-trust.js';
import type { GuardTrust } from '../../../src/lock/guard-link.js';
import { startServer, type LiveServer } from '../../support/server.js';
import { startServerFront, type ServerFront } from './server-front.js';
import { TestHost } from './test-host.js';

export const ALICE = { windowsSessionId: 1, user: 'CORP\\alice', logonKind: 'local' as const };
export const BOB = { windowsSessionId: 2, user: 'CORP\\bob', logonKind: 'remote' as const };
export const EMAIL = 'alice@corp.example.com';
/** A lock's hello, with a challenge of its connection. */
export const HELLO = { type: 'hello', version: 1, challenge: 'c'.repeat(43) } as const;

/**
 * An installer-enrolled computer with its guard: the real server (behind a recording front), a
 * machine Client whose token and offline key only the guard holds, the test host with alice signed
 * in, and the guard started on it. `newGuard()` makes another guard on the same host and storage.
 */
export async function startGuardedComputer(
  options: { lockIsThisProcess?: boolean; lockDecision?: { exempt: string[]; forged: string[] } } = {},
) {
  const server: LiveServer = await startServer();
  const host = new TestHost();
  host.now = () => server.test.clock.now();
  host.lockIsThisProcess = !!options.lockIsThisProcess;
  const anonymous = createApiClient({ baseUrl: server.baseUrl, fetch });
  const machine: EnrollResult = await anonymous(routes.enroll, {
    body: { enrollmentKey: ENROLLMENT_KEY, computerName: host.computerName, role: 'machine' },
  });
  // Exempt accounts are the real server's settings; a "no lock" for a forged one comes from the front, signed with another key.
  if (options.lockDecision) await server.api(routes.putSettings, { body: { exemptAccounts: options.lockDecision.exempt } });
  const stub: ServerFront = await startServerFront(server.baseUrl, {
    clientId: machine.clientId,
    now: () => server.test.clock.now(),
    osUsers: options.lockDecision?.forged ?? [],
  });
  const serverPublicKey = machine.serverPublicKey;
  host.existing(ALICE);
  // The guard identity key, made in the guard's storage as on Windows (lock-trust.ts); the lock trusts its public half.
  const identityKey = loadOrCreateGuardIdentity(host.storage);
  /** What the lock reads from the trust file, as main.ts hands it to GuardLink (alice's session by default). */
  const trust = (overrides: Partial<GuardTrust> = {}): GuardTrust => ({
    guardPublicKey: identityKey.publicKey,
    serverPublicKey,
    verify: nodeEd25519Verify,
    randomBytes: nodeRandomBytes,
    windowsSessionId: ALICE.windowsSessionId,
    ...overrides,
  });
  const newGuard = (): GuardService =>
    createGuardService({
      host,
      api: createApiClient({ baseUrl: stub.url, fetch, token: () => machine.clientToken }),
      identity: () => ({ clientId: machine.clientId, serverPublicKey }),
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      hmac: nodeHmacSha256,
      identityKey,
      machineOfflineKey: () => machine.offlineKey,
      serverUrl: stub.url,
    });
  const computer = {
    server,
    host,
    machine,
    stub,
    identityKey,
    trust,
    guard: newGuard(),
    newGuard,
    async stop() {
      await computer.guard.stop();
      await host.dispose();
      await stub.stop();
      await server.stop();
    },
  };
  await computer.guard.start();
  return computer;
}
export type GuardedComputer = Awaited<ReturnType<typeof startGuardedComputer>>;

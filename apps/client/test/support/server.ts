import { createServer, type AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from '@latchkey/server/test-app';
import { otpFromMail } from '@latchkey/test-support';
import { createVerdictHook, type VerdictHook } from '../../src/lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import type { ApiClient, ClientRole, EnrollResult } from '@latchkey/contracts';

export { otpFromMail };

/** The real Application Server (test helper: temp data dir, real SMTP sink), listening on loopback. */
export interface LiveServer {
  test: TestApp;
  baseUrl: string;
  enroll(computerName?: string): Promise<string>;
  /** The whole enroll answer (with the offline key); `verdictsFor` knows its token too. */
  enrollAnswer(computerName?: string, role?: ClientRole): Promise<EnrollResult>;
  /** The verdict check of the Client holding this token, pinned to the key its enroll answer named (or `pinned`). */
  verdictsFor(token: string, options?: { pinned?: string; now?: () => number }): VerdictHook;
  /** The contracts' typed client as the admin (logged in at its first call): `server.api(routes.createUser, { body })`. */
  api: ApiClient;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const test = await buildTestApp({ env });
  await test.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = test.app.server.address() as AddressInfo;
  let adminToken: string | undefined;
  const enrolled = new Map<string, { clientId: string; serverPublicKey: string }>();
  const enrollAnswer = async (computerName = 'PC-LOCK-01', role?: ClientRole): Promise<EnrollResult> => {
    const answer = await test.enroll(computerName, role);
    enrolled.set(answer.clientToken, answer);
    return answer;
  };
  return {
    test,
    baseUrl: `http://127.0.0.1:${port}`,
    async enroll(computerName = 'PC-LOCK-01') {
      return (await enrollAnswer(computerName)).clientToken;
    },
    enrollAnswer,
    verdictsFor(token, options = {}) {
      const client = enrolled.get(token);
      if (!client) throw new Error('verdictsFor: token not enrolled through this helper');
      return createVerdictHook({
        identity: () => ({ clientId: client.clientId, serverPublicKey: options.pinned ?? client.serverPublicKey }),
        verify: nodeEd25519Verify,
        randomBytes: nodeRandomBytes,
        now: options.now ?? (() => test.clock.now()),
      });
    },
    async api(route, input) {
      adminToken ??= await test.adminToken();
      return test.api(adminToken)(route, input);
    },
    stop: () => test.destroy(),
  };
}

/** A loopback port nothing listens on: the "network" during an outage. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

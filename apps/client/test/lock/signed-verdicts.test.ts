import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiClient, routes, verdictMessage, type AuditEvent } from '@latchkey/contracts';
import { LockController, fetchWithTimeout, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { enrollPinned, ServerKeyMismatchError } from '../../src/main/enrollment.js';
import { ManualTimers } from '../support/manual-timers.js';
import { matchRoute } from '@latchkey/test-support';
import { otpFromMail, startServer, type LiveServer } from '../support/server.js';

const OS_USER = 'CORP\\alice';
const EMAIL = 'alice@corp.example.com';

/** What the proxy does to `routes.verifyOtp`; every other call passes through unchanged. */
type VerifyTamper = (
  forward: () => Promise<{ status: number; body: string }>,
  requestBody: string,
) => Promise<{ status: number; body: string }>;

/** A man in the middle on loopback (node:http): the lock talks to it, it talks to the real server. */
async function startProxy(target: string): Promise<{ url: string; tamper: VerifyTamper | undefined; stop(): Promise<void> }> {
  const state: { tamper: VerifyTamper | undefined } = { tamper: undefined };
  const forwardRaw = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; body: string; headers: Record<string, string> }>((resolve, reject) => {
      const upstream = httpRequest(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 502,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
            }),
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on(
      'end',
      () =>
        void (async () => {
          const body = Buffer.concat(chunks);
          try {
            if (matchRoute(routes.verifyOtp, req.method, req.url) && state.tamper) {
              const out = await state.tamper(() => forwardRaw(req, body), body.toString('utf8'));
              res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.body);
              return;
            }
            const out = await forwardRaw(req, body);
            res.writeHead(out.status, out.headers).end(out.body);
          } catch {
            res.writeHead(502).end();
          }
        })(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tamper() {
      return state.tamper;
    },
    set tamper(value) {
      state.tamper = value;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let server: LiveServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let timers: ManualTimers;

beforeEach(async () => {
  server = await startServer();
  proxy = await startProxy(server.baseUrl);
  timers = new ManualTimers();
});
afterEach(async () => {
  await proxy.stop();
  await server.stop();
});

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });

/** A lock on one enrolled Client that reaches the server only through the proxy. */
async function lockBehindProxy(token: string, clientClock?: () => number) {
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: proxy.url,
    fetch: fetchWithTimeout(fetch, 5_000),
    clientToken: () => token,
    osUser: OS_USER,
    timers,
    onUnlocked: (session) => unlocked.push(session),
    verdicts: server.verdictsFor(token, clientClock ? { now: clientClock } : {}),
  });
  await controller.start();
  expect(controller.state.phase).toBe('locked');
  return { controller, unlocked };
}

/** Generate Password for this Client and user: a real OTP, mailed through the real SMTP sink. */
async function realOtp(token: string, count: number): Promise<string> {
  const clients = await server.api(routes.listClients, {});
  await server.test.api(token)(routes.getPolicy, {});
  const clientId = clients[clients.length - 1]!.clientId;
  await server.api(routes.generateOtp, { body: { clientId, osUser: OS_USER, email: EMAIL } });
  const mails = () => server.test.smtp.mails.filter((m) => m.to.includes(EMAIL) && /\d{8}/.test(m.text));
  await until(() => mails().length >= count);
  return otpFromMail(mails()[count - 1]!);
}

async function verdictFailures(): Promise<AuditEvent[]> {
  return server.api(routes.listAudit, { query: { type: 'client.verdict_failed' } });
}

async function expectStaysLockedAndReported(controller: LockController, unlocked: UnlockedSession[], reportsBefore: number) {
  expect(controller.state.phase).toBe('locked');
  expect(controller.state.notice).toMatchObject({ kind: 'error', code: 'verdict_invalid' });
  expect(controller.state.notice?.text).toMatch(/stays locked/);
  expect(unlocked).toEqual([]);
  // Reported when the Client next reaches the server (here at once: the proxy forges only verify).
  await vi.waitFor(async () => expect((await verdictFailures()).length).toBe(reportsBefore + 1), { timeout: 10_000, interval: 50 });
  const [latest] = await verdictFailures();
  expect(latest).toMatchObject({ type: 'client.verdict_failed', osUser: OS_USER, computerName: 'PC-LOCK-01' });
  return latest!;
}

describe('signed verdicts: the lock against a forging proxy', () => {
  it('unlocks through an honest proxy (the verdict verifies against the pinned key)', async () => {
    const token = await server.enroll();
    const { controller, unlocked } = await lockBehindProxy(token);
    await controller.verify({ email: EMAIL, otp: await realOtp(token, 1) });
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toHaveLength(1);
    controller.dispose();
  });

  it('(a) stays locked when the proxy replaces the answer with a forged 200, and the server audits it', async () => {
    const token = await server.enroll();
    const { controller, unlocked } = await lockBehindProxy(token);
    // The classic forgery: no verdict at all.
    proxy.tamper = async () => ({ status: 200, body: JSON.stringify({ allowed: true, sessionId: 'forged-session-0001' }) });
    await controller.verify({ email: EMAIL, otp: '12345678' });
    const first = await expectStaysLockedAndReported(controller, unlocked, 0);
    expect(first.detail).toMatch(/no verdict/);

    // A forgery that looks the part: a well-formed verdict with a made-up signature.
    proxy.tamper = async () => ({
      status: 200,
      body: JSON.stringify({
        allowed: true,
        sessionId: 'forged-session-0002',
        verdict: { time: timers.now(), signature: randomBytes(64).toString('base64url') },
      }),
    });
    await controller.verify({ email: EMAIL, otp: '12345678' });
    const second = await expectStaysLockedAndReported(controller, unlocked, 1);
    expect(second.detail).toMatch(/did not verify/);
    controller.dispose();
  });

  it('(b) stays locked when the proxy replays an earlier valid verdict', async () => {
    const token = await server.enroll();
    // An earlier, genuine unlock of this very Client and user, recorded by the proxy.
    let recorded: string | undefined;
    proxy.tamper = async (forward) => {
      const out = await forward();
      recorded = out.body;
      return out;
    };
    const earlier = await lockBehindProxy(token);
    await earlier.controller.verify({ email: EMAIL, otp: await realOtp(token, 1) });
    expect(earlier.controller.state.phase).toBe('unlocked');
    earlier.controller.dispose();
    expect(JSON.parse(recorded!).verdict.signature).toBeTruthy();

    // Later, the same computer locked again: the proxy answers with the recording.
    proxy.tamper = async () => ({ status: 200, body: recorded! });
    const { controller, unlocked } = await lockBehindProxy(token);
    await controller.verify({ email: EMAIL, otp: '12345678' });
    const event = await expectStaysLockedAndReported(controller, unlocked, 0);
    expect(event.detail).toMatch(/replayed/);
    controller.dispose();
  });

  it('(c) stays locked when the proxy re-signs the real answer with its own key, and the server ends that session', async () => {
    const token = await server.enroll();
    const attacker = generateKeyPairSync('ed25519');
    const clients = await server.api(routes.listClients, {});
    const clientId = clients[0]!.clientId;
    proxy.tamper = async (forward, requestBody) => {
      const out = await forward();
      const answer = JSON.parse(out.body);
      const { osUser, nonce } = JSON.parse(requestBody);
      const time = answer.verdict.time as number;
      const message = verdictMessage({ clientId, osUser, nonce, sessionId: answer.sessionId, time });
      answer.verdict.signature = sign(null, message, attacker.privateKey).toString('base64url');
      return { status: 200, body: JSON.stringify(answer) };
    };
    const { controller, unlocked } = await lockBehindProxy(token);
    await controller.verify({ email: EMAIL, otp: await realOtp(token, 1) });
    const event = await expectStaysLockedAndReported(controller, unlocked, 0);
    expect(event.detail).toMatch(/another key/);
    expect(event.detail).toMatch(/session .+ ended/);
    const sessions = await server.api(routes.listSessions, {});
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.endedAt).not.toBeNull();
    controller.dispose();
  });

  it('stays locked on a genuine verdict signed outside the time window', async () => {
    const token = await server.enroll();
    // The Client's clock is ten minutes ahead of the server's.
    const { controller, unlocked } = await lockBehindProxy(token, () => server.test.clock.now() + 10 * 60_000);
    await controller.verify({ email: EMAIL, otp: await realOtp(token, 1) });
    const event = await expectStaysLockedAndReported(controller, unlocked, 0);
    expect(event.detail).toMatch(/time window/);
    controller.dispose();
  });
});

describe('pinning the server key at enrollment', () => {
  it('refuses an enroll answer that names a key other than the pinned one, and accepts the pinned one', async () => {
    const api = createApiClient({ baseUrl: proxy.url, fetch });
    const body = { enrollmentKey: 'enrollment-key-for-tests-0001', computerName: 'PC-PIN-01' };
    const honest = await enrollPinned(api, body, undefined);
    await expect(enrollPinned(api, body, honest.serverPublicKey)).resolves.toMatchObject({ serverPublicKey: honest.serverPublicKey });
    const otherKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    await expect(enrollPinned(api, body, otherKey)).rejects.toBeInstanceOf(ServerKeyMismatchError);
  });
});

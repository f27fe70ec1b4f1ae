import { generateKeyPairSync, sign } from 'node:crypto';
import {
  DEFAULT_POLICY,
  routes,
  verdictMessage,
  type ClientPolicy,
  type FetchLike,
  type LockDecisionBody,
  type OtpRequestBody,
  type OtpRequestState,
  type RouteDescriptor,
  type VerifyBody,
} from '@latchkey/contracts';
import { matchRoute } from '@latchkey/test-support';
import { LockController, type LockControllerOptions, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { createVerdictHook } from '../../src/lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';
import type { ManualTimers } from './manual-timers.js';

/**
 * A small in-memory server speaking the v1.2 contract for the parts the real server on this branch
 * does not have yet ("The helpdesk's day": cancel of a sent request, attemptsLeft; "Who must
 * unlock": POST /client/lock-decision). It signs verdicts with its own Ed25519 key, as the server
 * does, so the lock's real verdict check runs. Everything it answers is checked by the contracts'
 * typed client against the response schemas, like any server answer.
 */
export interface StubRequest extends OtpRequestState {
  otp: string;
  osUser: string;
  body: OtpRequestBody;
}

export interface ContractStub {
  fetch: FetchLike;
  /** Every call, as `METHOD path` with its parsed body. */
  calls: { route: string; body: unknown }[];
  /** The calls of one route of the contract. */
  callsOf(route: RouteDescriptor): { route: string; body: unknown }[];
  requests: StubRequest[];
  policy: ClientPolicy;
  /** The next lock decision (default: locked). `tamper` signs over something else. */
  decision: { lock: boolean; reason: 'required' | 'exempt_account' | 'logon_kind'; tamper?: boolean };
  /** Settles a pending request as the helpdesk would. */
  approve(requestId: string): void;
  /** Refuses every call as if the network were gone. */
  offline: boolean;
  clientId: string;
  serverPublicKey: string;
  maxVerifyAttempts: number;
  intervalMs: number;
}

const CLIENT_ID = 'cl_stub000000000000000001';

export function startContractStub(timers: ManualTimers): ContractStub {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const serverPublicKey = publicKey.export({ format: 'jwk' }).x!;
  let seq = 0;
  let lastIssuedAt: number | undefined;
  let intervalWaived = false;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: { get: (name: string) => ({ 'content-type': 'application/json', ...headers })[name.toLowerCase()] ?? null },
    text: async () => (body === undefined ? '' : JSON.stringify(body)),
  });
  const error = (status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    json(status, { error: { code, message: code }, ...extra }, headers);
  const view = (r: StubRequest): OtpRequestState => {
    const expired = r.status === 'sent' && r.expiresAt !== undefined && r.expiresAt <= timers.now();
    const { requestId, email, expiresAt, comment, attemptsLeft } = r;
    return {
      requestId,
      status: expired ? 'expired' : r.status,
      email,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(comment ? { comment } : {}),
      ...(r.status === 'sent' && !expired && attemptsLeft !== undefined ? { attemptsLeft } : {}),
    };
  };
  const issue = (r: StubRequest) => {
    r.status = 'sent';
    r.expiresAt = timers.now() + stub.policy.accessRequestExpirationMinutes * 60_000;
    r.attemptsLeft = stub.maxVerifyAttempts;
    lastIssuedAt = timers.now();
  };
  const verdict = (osUser: string, nonce: string, sessionId: string) => {
    const time = timers.now();
    const signature = sign(null, verdictMessage({ clientId: CLIENT_ID, osUser, nonce, sessionId, time }), privateKey).toString('base64url');
    return { time, signature };
  };

  const stub: ContractStub = {
    calls: [],
    callsOf: (route) =>
      stub.calls.filter((c) => {
        const [method, path] = c.route.split(' ');
        return matchRoute(route, method, path) !== undefined;
      }),
    requests: [],
    policy: { ...DEFAULT_POLICY },
    decision: { lock: true, reason: 'required' },
    offline: false,
    clientId: CLIENT_ID,
    serverPublicKey,
    maxVerifyAttempts: 3,
    intervalMs: DEFAULT_POLICY.otpRequestIntervalMinutes * 60_000,
    approve(requestId) {
      const r = stub.requests.find((x) => x.requestId === requestId);
      if (r?.status === 'pending') issue(r);
    },
    fetch: async (url, init) => {
      if (stub.offline) throw new TypeError('fetch failed');
      const path = new URL(url, 'http://stub').pathname;
      const body: unknown = init.body ? JSON.parse(init.body) : undefined;
      stub.calls.push({ route: `${init.method} ${path}`, body });
      const match = (route: RouteDescriptor) => matchRoute(route, init.method, path);
      const find = (id: string | undefined) => stub.requests.find((r) => r.requestId === id);
      let p: Record<string, string> | undefined;
      if (match(routes.getPolicy)) return json(200, stub.policy);
      if (match(routes.reportVerdictFailures)) return json(204, undefined);
      if (match(routes.lockDecision)) {
        const { osUser, nonce } = body as LockDecisionBody;
        if (stub.decision.lock) return json(200, { lock: true, reason: 'required' });
        const sessionId = `se_stub${String(++seq).padStart(17, '0')}`;
        const signed = verdict(osUser, stub.decision.tamper ? `${nonce}x` : nonce, sessionId);
        return json(200, { lock: false, reason: stub.decision.reason, sessionId, verdict: signed });
      }
      if (match(routes.createOtpRequest)) {
        const b = body as OtpRequestBody;
        const auto = b.method === 'email' && b.relockOf !== undefined && stub.policy.relockSendsToSessionEmail;
        if (
          b.method !== 'emergency' &&
          !auto &&
          !intervalWaived &&
          lastIssuedAt !== undefined &&
          timers.now() - lastIssuedAt < stub.intervalMs
        ) {
          const seconds = Math.ceil((lastIssuedAt + stub.intervalMs - timers.now()) / 1000);
          return error(429, 'otp_interval', { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
        }
        intervalWaived = false;
        const r: StubRequest = {
          requestId: `rq_stub${String(++seq).padStart(17, '0')}`,
          status: 'pending',
          email: b.email ?? 'directory@corp.example.com',
          otp: String(10_000_000 + seq),
          osUser: b.osUser,
          body: b,
        };
        stub.requests.push(r);
        if (b.method === 'directory' || b.method === 'internal' || auto) issue(r);
        return json(201, view(r));
      }
      if ((p = match(routes.cancelOtpRequest))) {
        const r = find(p.requestId);
        if (!r) return error(404, 'not_found');
        if (r.status !== 'pending' && !(r.status === 'sent' && view(r).status === 'sent')) return error(409, 'not_pending');
        // v1.2: a sent OTP stops verifying, and the corrected request is not refused by the interval.
        if (r.status === 'sent') intervalWaived = true;
        r.status = 'cancelled';
        return json(200, view(r));
      }
      if ((p = match(routes.resendOtp))) {
        const r = find(p.requestId);
        if (!r || view(r).status !== 'sent') return error(409, 'not_resendable');
        return json(202, view(r));
      }
      if ((p = match(routes.getOtpRequest))) {
        const r = find(p.requestId);
        return r ? json(200, view(r)) : error(404, 'not_found');
      }
      if (match(routes.verifyOtp)) {
        const { osUser, email, otp, nonce, includeVia } = body as VerifyBody;
        const r = stub.requests.find((x) => x.email === email && x.osUser === osUser && view(x).status === 'sent');
        if (!r) return error(401, 'access_denied');
        if (r.otp !== otp) {
          r.attemptsLeft = (r.attemptsLeft ?? 1) - 1;
          if (r.attemptsLeft === 0) r.status = 'burnt';
          return error(401, 'access_denied');
        }
        r.status = 'used';
        const sessionId = `se_stub${String(++seq).padStart(17, '0')}`;
        const via = r.body.method === 'emergency' ? 'emergency' : 'otp';
        return json(200, { allowed: true, sessionId, verdict: verdict(osUser, nonce, sessionId), ...(includeVia ? { via } : {}) });
      }
      if (match(routes.heartbeat) || match(routes.endSession)) return json(204, undefined);
      return error(404, 'not_found');
    },
  };
  return stub;
}

/** A lock controller on the stub, with the real verdict check pinned to the stub's key. Not started. */
export function stubController(stub: ContractStub, timers: ManualTimers, overrides: Partial<LockControllerOptions> = {}) {
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: '',
    fetch: stub.fetch,
    clientToken: () => 'stub-token',
    osUser: 'CORP\\alice',
    timers,
    random: () => 0.5,
    pollIntervalMs: 3_000,
    verdicts: createVerdictHook({
      identity: () => ({ clientId: stub.clientId, serverPublicKey: stub.serverPublicKey }),
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: () => timers.now(),
    }),
    onUnlocked: (session) => unlocked.push(session),
    ...overrides,
  });
  return { controller, unlocked };
}

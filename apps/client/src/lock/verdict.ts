import {
  IdSchema,
  isVerdictFailure,
  base64UrlDecode,
  base64UrlEncode,
  routes,
  unlockedSessionsMessage,
  verdictMessage,
  type ApiClient,
  type Notice,
  type UnlockedSessions,
  type VerdictFailure,
  type VerdictFailureReason,
  type VerifyResult,
} from '@latchkey/contracts';
import type { Words } from './messages.js';

/**
 * Checks the server's signed answers before anything is unlocked. The bytes come from contracts
 * (`verdictMessage`, `unlockedSessionsMessage`); the Ed25519 primitive is handed in by the host:
 * node:crypto in Electron main and under Node, WebCrypto in the preview page. Nothing here imports
 * Node or the DOM, so the preview and the lock run the very same checks.
 */
export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** How far the verdict's time may be from the Client's clock. The nonce already stops replays; this bounds a held-back answer. */
export const VERDICT_MAX_SKEW_MS = 5 * 60_000;

/** 16 random bytes, base64url: 22 characters (NonceSchema). */
export function newNonce(randomBytes: (length: number) => Uint8Array): string {
  return base64UrlEncode(randomBytes(16));
}

async function signatureHolds(verify: Ed25519Verify, publicKey: string, message: Uint8Array, signature: string): Promise<boolean> {
  try {
    return await verify(base64UrlDecode(publicKey), message, base64UrlDecode(signature));
  } catch {
    return false;
  }
}

export interface VerdictExpectation {
  clientId: string;
  osUser: string;
  /** The nonce this Client sent with this very call. */
  nonce: string;
  /** The pinned key (machine config) or, without one, the key learnt at enrollment. */
  serverPublicKey: string | undefined;
  now: number;
  maxSkewMs?: number;
}

/** A verify answer as it arrived: the contract requires `verdict`, and this check still refuses one without it. */
export type VerifyAnswer = Omit<VerifyResult, 'verdict'> & Partial<Pick<VerifyResult, 'verdict'>>;

/** undefined when the answer may unlock; otherwise why not. */
export async function checkVerdict(
  result: VerifyAnswer,
  expected: VerdictExpectation,
  verify: Ed25519Verify,
): Promise<VerdictFailureReason | undefined> {
  if (!expected.serverPublicKey) return 'no_pinned_key';
  if (!result.verdict) return 'missing';
  const { time, signature } = result.verdict;
  const message = verdictMessage({
    clientId: expected.clientId,
    osUser: expected.osUser,
    nonce: expected.nonce,
    sessionId: result.sessionId,
    time,
  });
  if (!(await signatureHolds(verify, expected.serverPublicKey, message, signature))) return 'invalid_signature';
  if (Math.abs(expected.now - time) > (expected.maxSkewMs ?? VERDICT_MAX_SKEW_MS)) return 'stale';
  return undefined;
}

/** The guard's answer, when it verifies for this Client, this nonce and now; undefined for anything else. */
export async function checkUnlockedSessions(
  answer: UnlockedSessions,
  expected: Omit<VerdictExpectation, 'osUser'>,
  verify: Ed25519Verify,
): Promise<UnlockedSessions['sessions'] | undefined> {
  if (!expected.serverPublicKey) return undefined;
  if (answer.clientId !== expected.clientId || answer.nonce !== expected.nonce) return undefined;
  if (!(await signatureHolds(verify, expected.serverPublicKey, unlockedSessionsMessage(answer), answer.signature))) return undefined;
  if (Math.abs(expected.now - answer.time) > (expected.maxSkewMs ?? VERDICT_MAX_SKEW_MS)) return undefined;
  return answer.sessions;
}

export function verdictNotice(w: Words, reason: VerdictFailureReason): Notice {
  const why = reason === 'no_pinned_key' || reason === 'key_mismatch' ? w.t('notice.verdictKey') : w.t('notice.verdictSignature');
  return { kind: 'error', code: 'verdict_invalid', text: `${why} ${w.t('notice.verdictStaysLocked')}` };
}

/** Who this Client is and which key it trusts; undefined until it has enrolled. */
export interface VerdictIdentity {
  clientId: string;
  serverPublicKey: string | undefined;
}

export interface VerdictHookOptions {
  identity: () => VerdictIdentity | undefined;
  verify: Ed25519Verify;
  randomBytes: (length: number) => Uint8Array;
  now: () => number;
  maxSkewMs?: number;
  /** Keeps unreported refusals across a restart of the lock (Electron: a file in the profile). */
  store?: { load(): VerdictFailure[]; save(failures: VerdictFailure[]): void };
}

/** The lock controller's one hook: a nonce per verify call, the check of the answer, and reporting refusals. */
export interface VerdictHook {
  nonce(): string;
  /** undefined when the answer may unlock; otherwise the reason (also queued for the server). */
  refuse(result: VerifyAnswer, osUser: string, nonce: string): Promise<VerdictFailureReason | undefined>;
  /** Queues a refusal seen elsewhere (an enroll answer naming another key). */
  record(failure: VerdictFailure): void;
  /** Sends what is queued; on failure keeps it for the next time the server is reached. */
  report(api: ApiClient): Promise<void>;
}

const MAX_QUEUED = 20;

/** Failures read back from storage: anything that would not pass the server's schema is dropped, so one bad entry never blocks the rest. */
export function parseVerdictFailures(raw: unknown): VerdictFailure[] {
  return Array.isArray(raw) ? raw.filter(isVerdictFailure) : [];
}

export function createVerdictHook(options: VerdictHookOptions): VerdictHook {
  let queue: VerdictFailure[] = (options.store?.load() ?? []).slice(-MAX_QUEUED);
  let sending = false;
  const keep = (next: VerdictFailure[]) => {
    queue = next;
    options.store?.save(queue);
  };
  const record = (failure: VerdictFailure) => keep([...queue, failure].slice(-MAX_QUEUED));
  return {
    nonce: () => newNonce(options.randomBytes),
    async refuse(result, osUser, nonce) {
      const identity = options.identity();
      const now = options.now();
      const reason = identity
        ? await checkVerdict(
            result,
            {
              clientId: identity.clientId,
              osUser,
              nonce,
              serverPublicKey: identity.serverPublicKey,
              now,
              ...(options.maxSkewMs ? { maxSkewMs: options.maxSkewMs } : {}),
            },
            options.verify,
          )
        : 'no_pinned_key';
      if (reason) {
        const sessionId = new RegExp(IdSchema.pattern!).test(result.sessionId) ? { sessionId: result.sessionId } : {};
        record({ osUser, reason, at: now, ...sessionId });
      }
      return reason;
    },
    record,
    async report(api) {
      if (sending || queue.length === 0) return;
      sending = true;
      const batch = queue;
      try {
        await api(routes.reportVerdictFailures, { body: { failures: batch } });
        keep(queue.filter((f) => !batch.includes(f)));
      } catch {
        // Kept: reported when the server is next reached.
      } finally {
        sending = false;
      }
    },
  };
}

import {
  base64UrlDecode,
  bytesToBase64Url,
  guardSignedBytes,
  OFFLINE_MAX_WRONG_RESPONSES,
  parseGuardMessage,
  type GuardMessage,
  type GuardRefusal,
  type GuardRequest,
  type LockDecision,
  type OfflineCheckResult,
  type OfflineOffer,
  type VerifyResult,
} from '@latchkey/contracts';
import type { OfflineCheck, OfflineUnlocker } from './offline-unlock.js';
import type { SessionEvent } from './relock.js';
import { systemTimers, type Timers } from './timers.js';
import type { Ed25519Verify } from './verdict.js';

/**
 * The lock's side of the channel to the guard (contracts/guard-channel.ts). The lock asks, the
 * guard decides: nonces come from the guard, verdicts and offline response codes go to it, and the
 * per-user token comes from it (the lock never reads the machine token). The transport is injected
 * (Electron main: the named pipe; tests: a unix socket), so this runs without Node.
 */
export interface GuardTransport {
  send(request: GuardRequest): void;
  onLine(listener: (line: string) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

type Welcome = Extract<GuardMessage, { type: 'welcome' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const GUARD_ANSWER_TIMEOUT_MS = 10_000;

/**
 * What the lock trusts the guard by (main/lock-trust.ts: the trust file no user can write), and what
 * it knows of itself, to check the welcome against.
 */
export interface GuardTrust {
  /** The guard identity key's public half. */
  guardPublicKey: string;
  /** The server key the lock pins: a welcome naming another one is refused. */
  serverPublicKey: string;
  verify: Ed25519Verify;
  randomBytes: (length: number) => Uint8Array;
  /** This process's Windows session, when known: a welcome for another session is refused. */
  windowsSessionId?: number;
}

/** Why `hello` gave no welcome: the guard did not answer (or refused), or what answered could not be verified. */
export type GuardLinkFailure = 'no_answer' | 'unverified';

export class GuardLink {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: GuardMessage | undefined) => void>();
  private readonly relockListeners = new Set<(event: SessionEvent) => void>();
  private verifiedWelcome: Welcome | undefined;
  private closed = false;
  /** This connection's challenge: only messages signed over it by the guard identity key count. */
  private challenge: string | undefined;
  /** Messages are checked one after the other, so they are acted on in the order they came. */
  private checked: Promise<void> = Promise.resolve();
  /** Set when something answered that is not the guard. */
  failure: GuardLinkFailure | undefined;

  constructor(
    private readonly transport: GuardTransport,
    private readonly trust: GuardTrust,
    private readonly timers: Timers = systemTimers,
  ) {
    transport.onLine((line) => {
      const message = parseGuardMessage(line);
      const challenge = this.challenge;
      if (!message || !challenge) return;
      this.checked = this.checked.then(async () => {
        if (!(await this.signedByGuard(challenge, message))) {
          // Another server instance of the pipe's name, or a message of another connection: not the
          // guard. Whatever waits gets no answer, and nothing more is asked on this connection.
          this.failure = 'unverified';
          for (const settle of [...this.waiting.values()]) settle(undefined);
          return;
        }
        if (message.type === 'relock') {
          for (const listener of this.relockListeners) listener(message.event);
          return;
        }
        this.waiting.get(message.id)?.(message);
      });
    });
    transport.onClose(() => {
      this.closed = true;
      for (const settle of this.waiting.values()) settle(undefined);
    });
  }

  /** One request and its answer, signed by the guard; undefined when the guard did not answer (closed, timed out). */
  private ask(request: DistributiveOmit<GuardRequest, 'id'>): Promise<GuardMessage | undefined> {
    // Once something that is not the guard answered, the lock tells it nothing more (no code, no verdict).
    if (this.closed || this.failure === 'unverified') return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => settle(undefined), GUARD_ANSWER_TIMEOUT_MS);
      const settle = (message: GuardMessage | undefined) => {
        this.timers.clearTimeout(timer);
        this.waiting.delete(id);
        resolve(message);
      };
      this.waiting.set(id, settle);
      this.transport.send({ ...request, id } as GuardRequest);
    });
  }

  private async signedByGuard(challenge: string, message: GuardMessage): Promise<boolean> {
    try {
      return await this.trust.verify(
        base64UrlDecode(this.trust.guardPublicKey),
        guardSignedBytes(challenge, message),
        base64UrlDecode(message.signature),
      );
    } catch {
      return false;
    }
  }

  /**
   * Who the guard says this session is, with the per-user token; undefined when it refused, did not
   * answer, or what answered is not the guard (`failure`). A signed welcome for another session, or
   * naming another server key than the trust file's, is refused too.
   */
  async hello(): Promise<Welcome | undefined> {
    this.challenge = bytesToBase64Url(this.trust.randomBytes(32));
    const answer = await this.ask({ type: 'hello', version: 1, challenge: this.challenge });
    if (answer?.type !== 'welcome') {
      this.failure ??= 'no_answer';
      return undefined;
    }
    const { windowsSessionId } = this.trust;
    const otherSession = windowsSessionId !== undefined && answer.windowsSessionId !== windowsSessionId;
    if (otherSession || (answer.serverPublicKey !== undefined && answer.serverPublicKey !== this.trust.serverPublicKey)) {
      this.failure = 'unverified';
      return undefined;
    }
    this.verifiedWelcome = answer;
    return answer;
  }

  /** The guard's verified welcome of this connection; undefined before it, or when there is none. */
  get welcome(): Welcome | undefined {
    return this.verifiedWelcome;
  }

  /** The per-user token the guard minted for this session's user. */
  get token(): string | undefined {
    return this.verifiedWelcome?.clientToken;
  }

  get offlineAvailable(): boolean {
    return !!this.verifiedWelcome?.offline;
  }

  /** A nonce the guard issued for this session; throws when the guard does not give one (the lock stays locked). */
  async nonce(): Promise<string> {
    const answer = await this.ask({ type: 'nonce' });
    if (answer?.type !== 'nonce') throw new Error('the guard gave no nonce');
    return answer.nonce;
  }

  /** Hands the verify answer over; undefined when the guard opened the session, else why not. */
  async unlock(nonce: string, result: VerifyResult): Promise<GuardRefusal | undefined> {
    return refusal(await this.ask({ type: 'unlock', nonce, result }));
  }

  /** Hands a lock-decision "no lock" answer over, the same way. */
  async exempt(nonce: string, decision: LockDecision): Promise<GuardRefusal | undefined> {
    return refusal(await this.ask({ type: 'exempt', nonce, decision }));
  }

  async offlineOffer(): Promise<OfflineOffer | undefined> {
    const answer = await this.ask({ type: 'offline-offer' });
    return answer?.type === 'offline-offer' ? (answer.offer ?? undefined) : undefined;
  }

  async offlineCheck(responseCode: string): Promise<OfflineCheckResult> {
    const answer = await this.ask({ type: 'offline-check', responseCode });
    return answer?.type === 'offline-result' ? answer.result : { ok: false, reason: 'unavailable' };
  }

  /** The guard locked the session again. */
  onRelock(listener: (event: SessionEvent) => void): void {
    this.relockListeners.add(listener);
  }

  close(): void {
    this.transport.close();
  }
}

function refusal(answer: GuardMessage | undefined): GuardRefusal | undefined {
  if (answer?.type === 'unlocked') return undefined;
  return answer?.type === 'refused' ? answer.reason : 'unavailable';
}

/**
 * Offline unlock as the lock's offline flow sees it, done by the guard: the lock shows the
 * guard's challenge and passes on what the person typed; it holds no key, keeps no count and
 * reports nothing (the guard reports the unlocks it checked).
 */
export function guardOfflineUnlock(link: GuardLink, osUser: string, now: () => number): OfflineUnlocker {
  let last: OfflineOffer | undefined;
  return {
    keyVersion: 0,
    get available() {
      return link.offlineAvailable;
    },
    pendingReports: [],
    load: async () => undefined,
    reloadKey: async () => false,
    acceptKey: async () => true,
    setAllowed: async () => undefined,
    reported: async () => undefined,
    peek: () => last ?? { attemptsLeft: OFFLINE_MAX_WRONG_RESPONSES },
    async offer() {
      last = await link.offlineOffer();
      return last;
    },
    async check(input: string): Promise<OfflineCheck> {
      const result = await link.offlineCheck(input);
      if (result.ok) {
        const at = now();
        const report = { osUser, challenge: last?.challenge ?? '', challengeIssuedAt: at, usedAt: at, keyVersion: 1 };
        return { ok: true, report };
      }
      last = await link.offlineOffer();
      if (result.reason === 'wrong') return { ok: false, reason: 'wrong', attemptsLeft: result.attemptsLeft ?? 0 };
      if (result.reason === 'burnt') return { ok: false, reason: 'burnt', waitUntil: result.waitUntil ?? now() };
      return { ok: false, reason: result.reason };
    },
  };
}

import {
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

export class GuardLink {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: GuardMessage | undefined) => void>();
  private readonly relockListeners = new Set<(event: SessionEvent) => void>();
  private welcome: Welcome | undefined;
  private closed = false;

  constructor(
    private readonly transport: GuardTransport,
    private readonly timers: Timers = systemTimers,
  ) {
    transport.onLine((line) => {
      const message = parseGuardMessage(line);
      if (!message) return;
      if (message.type === 'relock') {
        for (const listener of this.relockListeners) listener(message.event);
        return;
      }
      this.waiting.get(message.id)?.(message);
    });
    transport.onClose(() => {
      this.closed = true;
      for (const settle of this.waiting.values()) settle(undefined);
    });
  }

  /** One request and its answer; undefined when the guard did not answer (closed, timed out). */
  private ask(request: DistributiveOmit<GuardRequest, 'id'>): Promise<GuardMessage | undefined> {
    if (this.closed) return Promise.resolve(undefined);
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

  /** Who the guard says this session is, with the per-user token; undefined when it refused or did not answer. */
  async hello(): Promise<Welcome | undefined> {
    const answer = await this.ask({ type: 'hello', version: 1 });
    if (answer?.type === 'welcome') this.welcome = answer;
    return this.welcome;
  }

  /** The per-user token the guard minted for this session's user. */
  get token(): string | undefined {
    return this.welcome?.clientToken;
  }

  get offlineAvailable(): boolean {
    return !!this.welcome?.offline;
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

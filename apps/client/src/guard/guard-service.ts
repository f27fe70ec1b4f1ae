import {
  ApiError,
  bytesToBase64Url,
  DEFAULT_POLICY,
  routes,
  type ApiClient,
  type ClientPolicy,
  type GuardMessage,
  type GuardRequest,
  guardSignedBytes,
  type GuardSessionState,
  type HmacSha256,
  type OfflineKey,
  type UnsignedGuardMessage,
} from '@latchkey/contracts';
import { relockDecision, type SessionEvent } from '../lock/relock.js';
import { checkVerdict, newNonce, type Ed25519Verify, type VerdictIdentity } from '../lock/verdict.js';
import type { ChannelPeer, GuardHost, HeldProcess, SessionNotification, SessionNotificationKind, WindowsSession } from './guard-host.js';
import { GuardOffline } from './guard-offline.js';

/**
 * The guard (SYSTEM): the only party on the computer that decides whether a session is open.
 *  - It starts each interactive session's lock itself, as that user, and holds the process; only
 *    that process may speak for the session on the channel, and only its end makes the guard act.
 *  - A session opens only on a server-signed verdict over a nonce the guard issued for it (an OTP
 *    verify, or a lock-decision "no lock"), or on an offline response code the guard checked itself.
 *    The server's lists, heartbeats and reports are never a reason to leave a session open.
 *  - On unlock, reconnect and resume it locks again by the policy (askAgainOnUnlock,
 *    unlockGraceMinutes), tells the server, and keeps the lock running until a new verdict.
 * Plain TypeScript: everything it observes and does goes through `GuardHost`.
 */
export interface GuardServiceOptions {
  host: GuardHost;
  /** The machine's (or guard's) Client; its HTTP goes through one injected fetch (failover: main). */
  api: ApiClient;
  identity: () => VerdictIdentity | undefined;
  verify: Ed25519Verify;
  randomBytes: (length: number) => Uint8Array;
  hmac: HmacSha256;
  /**
   * The guard identity key (main/lock-trust.ts): signs every message to a lock over that lock's
   * challenge, so a lock can tell the guard from another server instance of the pipe's name.
   */
  identityKey: { sign(message: Uint8Array): Uint8Array };
  /** Told to the locks in `welcome` (they cannot read the machine configuration). */
  serverUrl?: string;
  /** The machine offline key (SYSTEM and Administrators only); without it offline unlock is off. */
  machineOfflineKey?: () => OfflineKey | undefined;
  /** A lock that ends this often within `crashWindowMs` is not started again: the session is signed out. */
  maxRestarts?: number;
  crashWindowMs?: number;
}

/** How user names are compared: NFC, case-insensitive (Windows account names are). */
export function userKey(user: string): string {
  return user.normalize('NFC').toLowerCase();
}

/** A nonce is good for one answer, for this long. */
export const GUARD_NONCE_TTL_MS = 10 * 60_000;
const MAX_NONCES_PER_SESSION = 8;

interface SessionRecord extends WindowsSession {
  state: GuardSessionState | 'deciding';
  lock?: HeldProcess;
  nonces: Map<string, number>;
  /** The server's session that opened this Windows session, when known (for relock). */
  serverSessionId?: string;
  restarts: number[];
  peers: Set<ChannelPeer>;
  ended?: boolean;
}

const EVENT_OF: Partial<Record<SessionNotificationKind, SessionEvent>> = {
  unlock: 'windows-unlock',
  'remote-connect': 'reconnect',
  'console-connect': 'reconnect',
  resume: 'resume',
};

export function createGuardService(options: GuardServiceOptions) {
  const { host } = options;
  const sessions = new Map<number, SessionRecord>();
  /** Each connection's challenge, from its lock's hello: every message to it is signed over it. */
  const challenges = new WeakMap<ChannelPeer, string>();
  const send = (peer: ChannelPeer, message: UnsignedGuardMessage): void => {
    const signature = options.identityKey.sign(guardSignedBytes(challenges.get(peer) ?? '', message));
    peer.send({ ...message, signature: bytesToBase64Url(signature) } as GuardMessage);
  };
  /** userKey → last unlock on this computer (unlockGraceMinutes counts per user). */
  const lastUnlock = new Map<string, number>();
  const userTokens = new Map<string, string>();
  let policy: ClientPolicy | undefined;
  let stopChannel: (() => Promise<void>) | undefined;
  let stopped = false;
  const offline = new GuardOffline({
    storage: host.storage,
    hmac: options.hmac,
    randomBytes: options.randomBytes,
    now: () => host.now(),
    machineKey: () => options.machineOfflineKey?.(),
    allowed: () => (policy ?? DEFAULT_POLICY).allowOfflineUnlock,
  });
  const maxRestarts = options.maxRestarts ?? 5;
  const crashWindowMs = options.crashWindowMs ?? 60_000;

  async function refreshPolicy(): Promise<void> {
    try {
      policy = await options.api(routes.getPolicy, {});
    } catch (err) {
      host.log(`policy: ${(err as Error).message} (keeping the last one)`);
    }
  }

  /** `.\name` entries of the policy held, for when no server answers (spec "Who must unlock, and when"). */
  function locallyExempt(user: string): boolean {
    const [domain, name] = user.includes('\\') ? user.split('\\', 2) : ['', user];
    if (userKey(domain!) !== userKey(host.computerName)) return false;
    return (policy?.exemptAccounts ?? []).some((entry) => entry.startsWith('.\\') && userKey(entry.slice(2)) === userKey(name!));
  }

  function issueNonce(record: SessionRecord): string {
    const now = host.now();
    for (const [nonce, at] of record.nonces) if (now - at > GUARD_NONCE_TTL_MS) record.nonces.delete(nonce);
    while (record.nonces.size >= MAX_NONCES_PER_SESSION) record.nonces.delete(record.nonces.keys().next().value!);
    const nonce = newNonce(options.randomBytes);
    record.nonces.set(nonce, now);
    return nonce;
  }

  /** Single use: a nonce is gone once it is presented, whatever the verdict. */
  function takeNonce(record: SessionRecord, nonce: string): boolean {
    const at = record.nonces.get(nonce);
    record.nonces.delete(nonce);
    return at !== undefined && host.now() - at <= GUARD_NONCE_TTL_MS;
  }

  /** undefined when the verdict holds for this session's user and this guard's Client. */
  async function verdictFails(record: SessionRecord, nonce: string, result: Parameters<typeof checkVerdict>[0]) {
    const identity = options.identity();
    if (!identity) return 'not_enrolled' as const;
    const failure = await checkVerdict(
      result,
      { clientId: identity.clientId, osUser: record.user, nonce, serverPublicKey: identity.serverPublicKey, now: host.now() },
      options.verify,
    );
    return failure ? ('invalid_verdict' as const) : undefined;
  }

  function open(record: SessionRecord, state: 'unlocked' | 'exempt', serverSessionId: string | undefined): void {
    record.state = state;
    if (serverSessionId) record.serverSessionId = serverSessionId;
    else delete record.serverSessionId;
    if (state === 'unlocked') lastUnlock.set(userKey(record.user), host.now());
    host.log(`session ${record.windowsSessionId} (${record.user}) ${state}`);
  }

  async function signOut(record: SessionRecord, why: string): Promise<void> {
    host.log(`signing session ${record.windowsSessionId} (${record.user}) out: ${why}`);
    try {
      await host.signOut(record.windowsSessionId);
    } catch (err) {
      host.log(`sign-out of session ${record.windowsSessionId} failed: ${(err as Error).message}`);
    }
  }

  /** The lock of a session that is not open must run; the guard starts it, and holds it. */
  async function ensureLock(record: SessionRecord): Promise<void> {
    if (stopped || record.ended || record.lock || record.state !== 'locked') return;
    const now = host.now();
    record.restarts = record.restarts.filter((at) => now - at < crashWindowMs);
    if (record.restarts.length >= maxRestarts) return signOut(record, 'the lock keeps ending');
    record.restarts.push(now);
    let lock: HeldProcess;
    try {
      lock = await host.startLockAsUser(record);
    } catch (err) {
      return signOut(record, `the lock could not be started (${(err as Error).message})`);
    }
    if (record.ended || stopped) return lock.kill();
    record.lock = lock;
    host.log(`lock started in session ${record.windowsSessionId} (pid ${lock.pid})`);
    void lock.exited.then(() => {
      if (record.lock !== lock) return;
      delete record.lock;
      for (const peer of record.peers) if (peer.caller.pid === lock.pid) peer.close();
      if (record.state === 'locked') {
        host.log(`the lock of session ${record.windowsSessionId} ended while locked: starting it again`);
        void ensureLock(record);
      }
    });
  }

  /** A new session: ask the server whether it is locked at all (with the guard's own nonce), else lock it. */
  async function admit(session: WindowsSession): Promise<void> {
    if (sessions.has(session.windowsSessionId)) return;
    const record: SessionRecord = { ...session, state: 'deciding', nonces: new Map(), restarts: [], peers: new Set() };
    sessions.set(session.windowsSessionId, record);
    const nonce = issueNonce(record);
    try {
      const decision = await options.api(routes.lockDecision, { body: { osUser: session.user, logonKind: session.logonKind, nonce } });
      takeNonce(record, nonce);
      if (!decision.lock && decision.sessionId && decision.verdict) {
        const failure = await verdictFails(record, nonce, { allowed: true, sessionId: decision.sessionId, verdict: decision.verdict });
        if (!failure) open(record, 'exempt', decision.sessionId);
        else host.log(`lock decision for ${session.user}: the verdict did not verify; locking`);
      }
    } catch (err) {
      takeNonce(record, nonce);
      // No server: the lock stays up, except for `.\name` accounts of the policy the guard holds.
      if (!(err instanceof ApiError && err.status >= 400 && err.status < 500) && locallyExempt(session.user)) {
        open(record, 'exempt', undefined);
      }
    }
    if (record.state === 'deciding') record.state = 'locked';
    await ensureLock(record);
  }

  async function relock(record: SessionRecord, event: SessionEvent): Promise<void> {
    const current = policy ?? DEFAULT_POLICY;
    const decision = relockDecision({
      event,
      unlocked: record.state === 'unlocked',
      askAgainOnUnlock: current.askAgainOnUnlock,
      unlockGraceMinutes: current.unlockGraceMinutes,
      lastUnlockAt: lastUnlock.get(userKey(record.user)),
      now: host.now(),
    });
    if (!decision.relock) return;
    record.state = 'locked';
    host.log(`session ${record.windowsSessionId} (${record.user}) locked again (${event})`);
    for (const peer of record.peers) send(peer, { type: 'relock', event });
    const serverSessionId = record.serverSessionId;
    await ensureLock(record);
    if (serverSessionId) {
      try {
        await options.api(routes.relockSession, { params: { sessionId: serverSessionId } });
      } catch (err) {
        // The server learns it late or not at all: the guard's own state is what keeps the session locked.
        host.log(`telling the server of the re-lock failed: ${(err as Error).message}`);
      }
    }
  }

  async function onNotification(notification: SessionNotification): Promise<void> {
    const { kind, windowsSessionId } = notification;
    if (kind === 'logon') {
      const session = (await host.sessions()).find((s) => s.windowsSessionId === windowsSessionId);
      if (session) await admit(session);
      return;
    }
    if (kind === 'logoff') {
      const record = windowsSessionId === undefined ? undefined : sessions.get(windowsSessionId);
      if (!record) return;
      record.ended = true;
      sessions.delete(record.windowsSessionId);
      record.lock?.kill();
      return;
    }
    const event = EVENT_OF[kind];
    if (!event) return;
    // A reconnect after a while offline is where the policy may have changed.
    await refreshPolicy();
    const targets = windowsSessionId === undefined ? [...sessions.values()] : [sessions.get(windowsSessionId)].filter((r) => !!r);
    for (const record of targets) await relock(record, event);
  }

  async function userToken(record: SessionRecord): Promise<string | undefined> {
    const key = userKey(record.user);
    const known = userTokens.get(key);
    if (known) return known;
    try {
      const { clientToken } = await options.api(routes.createUserToken, { body: { osUser: record.user } });
      userTokens.set(key, clientToken);
      return clientToken;
    } catch (err) {
      host.log(`minting the token of ${record.user} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  async function answer(record: SessionRecord, request: GuardRequest): Promise<UnsignedGuardMessage> {
    const { id } = request;
    switch (request.type) {
      case 'hello': {
        const clientToken = await userToken(record);
        const state = record.state === 'deciding' ? 'locked' : record.state;
        const identity = options.identity();
        return {
          id,
          type: 'welcome',
          osUser: record.user,
          windowsSessionId: record.windowsSessionId,
          state,
          ...(identity ? { clientId: identity.clientId } : {}),
          ...(identity?.serverPublicKey ? { serverPublicKey: identity.serverPublicKey } : {}),
          ...(clientToken ? { clientToken } : {}),
          ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
          offline: offline.enabled,
        };
      }
      case 'nonce':
        return { id, type: 'nonce', nonce: issueNonce(record) };
      case 'unlock': {
        if (!takeNonce(record, request.nonce)) return { id, type: 'refused', reason: 'unknown_nonce' };
        const failure = await verdictFails(record, request.nonce, request.result);
        if (failure) return { id, type: 'refused', reason: failure };
        open(record, 'unlocked', request.result.sessionId);
        return { id, type: 'unlocked' };
      }
      case 'exempt': {
        if (!takeNonce(record, request.nonce)) return { id, type: 'refused', reason: 'unknown_nonce' };
        const { decision } = request;
        if (decision.lock || !decision.sessionId || !decision.verdict) return { id, type: 'refused', reason: 'invalid_verdict' };
        const failure = await verdictFails(record, request.nonce, {
          allowed: true,
          sessionId: decision.sessionId,
          verdict: decision.verdict,
        });
        if (failure) return { id, type: 'refused', reason: failure };
        open(record, 'exempt', decision.sessionId);
        return { id, type: 'unlocked' };
      }
      case 'offline-offer':
        return { id, type: 'offline-offer', offer: (await offline.offer(record.user)) ?? null };
      case 'offline-check': {
        const result = await offline.check(record.user, request.responseCode);
        if (!result.ok) return { id, type: 'offline-result', result };
        open(record, 'unlocked', undefined);
        void reportOffline();
        return { id, type: 'offline-result', result: { ok: true } };
      }
    }
  }

  /** Reports the offline unlocks the guard itself checked; the answer is the session it runs under. */
  let reporting = false;
  async function reportOffline(): Promise<void> {
    if (reporting) return;
    reporting = true;
    try {
      for (const report of offline.pendingReports()) {
        try {
          const { sessionId } = await options.api(routes.reportOfflineUnlock, { body: report });
          await offline.reported(report);
          const record = [...sessions.values()].find(
            (r) => r.state === 'unlocked' && !r.serverSessionId && userKey(r.user) === userKey(report.osUser),
          );
          if (record) record.serverSessionId = sessionId;
        } catch (err) {
          if (err instanceof ApiError && err.status === 400) await offline.reported(report);
          else return;
        }
      }
    } finally {
      reporting = false;
    }
  }

  const handlers = {
    onRequest(peer: ChannelPeer, request: GuardRequest): void {
      const record = sessions.get(peer.caller.windowsSessionId);
      // Only the process the guard started for this session speaks for it (a decoy, a renamed copy, `--guard`: no).
      if (!record || record.lock?.pid !== peer.caller.pid) {
        host.log(`channel: pid ${peer.caller.pid} in session ${peer.caller.windowsSessionId} is not that session's lock`);
        send(peer, { id: request.id, type: 'refused', reason: 'not_the_lock' });
        return;
      }
      if (request.type === 'hello') challenges.set(peer, request.challenge);
      record.peers.add(peer);
      answer(record, request).then(
        (message) => send(peer, message),
        (err: unknown) => {
          host.log(`channel: ${request.type} failed: ${(err as Error).message}`);
          send(peer, { id: request.id, type: 'refused', reason: 'unavailable' });
        },
      );
    },
    onInvalid(peer: ChannelPeer): void {
      host.log(`channel: an invalid message from pid ${peer.caller.pid}`);
    },
    onClose(peer: ChannelPeer): void {
      sessions.get(peer.caller.windowsSessionId)?.peers.delete(peer);
    },
  };

  return {
    async start(): Promise<void> {
      host.onSessionNotification((n) => void onNotification(n).catch((err: unknown) => host.log(`${n.kind}: ${(err as Error).message}`)));
      stopChannel = await host.serveChannel(handlers);
      await refreshPolicy();
      void reportOffline();
      for (const session of await host.sessions()) await admit(session);
    },
    /** A periodic pass (main: every minute): the policy, and offline reports not yet sent. */
    async tick(): Promise<void> {
      await refreshPolicy();
      await reportOffline();
    },
    state(windowsSessionId: number): GuardSessionState | 'deciding' | undefined {
      return sessions.get(windowsSessionId)?.state;
    },
    lockPid(windowsSessionId: number): number | undefined {
      return sessions.get(windowsSessionId)?.lock?.pid;
    },
    async stop(): Promise<void> {
      stopped = true;
      await stopChannel?.();
      for (const record of sessions.values()) record.lock?.kill();
    },
  };
}

export type GuardService = ReturnType<typeof createGuardService>;

import { ApiError, routes, type ApiClient, type SessionVia } from '@latchkey/contracts';
import type { Timers } from './timers.js';

export interface UnlockedSession {
  /** Absent after an offline unlock until the server has recorded it. */
  sessionId?: string;
  email: string;
  /** How: the verify answer's `via` (a request's OTP, an emergency one, Generate Password's), `offline`, or `exempt`: never locked (lock-decision.ts). */
  via: SessionVia | 'exempt';
}

/** What the lock controller lends the session flow. */
export interface SessionFlowHost {
  api: ApiClient;
  timers: Timers;
  heartbeatIntervalMs: number;
  /** An offline unlock's session once the server has recorded it. */
  onSessionRecorded?: (session: UnlockedSession & { sessionId: string }, unlockedAt: number) => void;
}

/**
 * The session an unlock opened, as the lock controller runs it (like OfflineFlow): heartbeats while
 * it lasts, its end, the id an offline unlock learns later, and the session a re-lock asks a new
 * OTP for (`relockOf`, relock.ts). The lock's state (LockState) is not kept here.
 */
export class SessionFlow {
  private session: UnlockedSession | undefined;
  private timer: unknown;
  private lastUnlock: number | undefined;
  private relocked: string | undefined;
  private disposed = false;

  constructor(private readonly host: SessionFlowHost) {}

  get current(): UnlockedSession | undefined {
    return this.session;
  }

  get lastUnlockAt(): number | undefined {
    return this.lastUnlock;
  }

  /** Set while a session unlocked earlier is locked again; its id goes with the next OTP request. */
  get relockOf(): string | undefined {
    return this.relocked;
  }

  /** Whether the current session is one opened offline and not yet reported. */
  get awaitingId(): boolean {
    return !!this.session && !this.session.sessionId;
  }

  /** An unlock opened `session`. The server ended a re-locked session whose OTP used its allowance; any other earlier one ends here. */
  opened(session: UnlockedSession): void {
    if (this.session && this.session.sessionId !== session.sessionId) void this.end();
    this.session = session;
    this.relocked = undefined;
    this.lastUnlock = this.host.timers.now();
    if (session.sessionId) this.schedule();
  }

  /** The session opened offline got its id from the server. */
  adopt(sessionId: string): void {
    if (!this.session) return;
    this.session.sessionId = sessionId;
    this.schedule();
    this.host.onSessionRecorded?.({ ...this.session, sessionId }, this.lastUnlock ?? this.host.timers.now());
  }

  /** The lock closed over the session again: it goes on (heartbeats too) until a new unlock or its end. */
  relock(): void {
    this.relocked = this.session?.sessionId;
  }

  private schedule(): void {
    this.host.timers.clearTimeout(this.timer);
    if (!this.session || this.disposed) return;
    this.timer = this.host.timers.setTimeout(() => void this.heartbeat(), this.host.heartbeatIntervalMs);
  }

  /** One heartbeat; a session the server has ended (404/409) stops them, a network failure does not. */
  async heartbeat(): Promise<void> {
    const session = this.session;
    if (!session?.sessionId) return;
    try {
      await this.host.api(routes.heartbeat, { params: { sessionId: session.sessionId } });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409 || err.status === 401)) {
        this.session = undefined;
        return;
      }
    }
    this.schedule();
  }

  /** Logoff or shutdown: report the end of the session (best effort, once). */
  async end(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.host.timers.clearTimeout(this.timer);
    if (!session?.sessionId) return;
    try {
      await this.host.api(routes.endSession, { params: { sessionId: session.sessionId } });
    } catch {
      // The server closes sessions that stop sending heartbeats.
    }
  }

  dispose(): void {
    this.disposed = true;
    this.host.timers.clearTimeout(this.timer);
  }
}

import { ApiError, routes, type ApiClient, type ClientPolicy, type LockState, type OfflineUnlockInput } from '@latchkey/contracts';
import type { Timers } from './timers.js';
import type { OfflineUnlocker } from './offline-unlock.js';
import { offlineNotice, type Words } from './messages.js';

/** Failed attempts to reach the server before the lock offers "Unlock with the helpdesk". */
export const OFFER_OFFLINE_AFTER_ATTEMPTS = 2;

/** What the lock controller lends the offline flow. */
export interface OfflineFlowHost {
  api: ApiClient;
  timers: Timers;
  state(): LockState;
  update(patch: Partial<LockState>, remove?: (keyof LockState)[]): void;
  /** Opens the lock for a session the server does not know yet. */
  unlock(): void;
  /** Whether the lock opened (or is closing) already. */
  settled(): boolean;
  /** The session opened offline got its id from the server. */
  adoptSession(sessionId: string): void;
  /** Whether the current session is one opened offline and not yet reported. */
  awaitingSession(): boolean;
  reportIntervalMs: number;
  words: Words;
}

/**
 * The offline unlock as the lock controller runs it: offered after a few failed attempts to reach
 * the server, the challenge and the check, and the report once the server answers again.
 */
export class OfflineFlow {
  private timer: unknown;
  private reportTimer: unknown;
  private reporting = false;
  private reportFailures = 0;
  /** The challenge whose unlock opened the current session. */
  private sessionChallenge: string | undefined;

  constructor(
    private readonly offline: OfflineUnlocker,
    private readonly host: OfflineFlowHost,
  ) {}

  start(): Promise<void> {
    return this.offline.load();
  }

  policyQuery(): { offlineKeyVersion: string } {
    return { offlineKeyVersion: String(this.offline.keyVersion) };
  }

  /** The server answered: take a delivered key and the setting, withdraw the offer, report unlocks. */
  async online(policy: ClientPolicy): Promise<void> {
    this.host.timers.clearTimeout(this.timer);
    if (!this.host.settled()) {
      const popup = this.host.state().popup;
      this.host.update(popup === 'offline' ? { popup: 'lock' } : {}, ['offline']);
    }
    try {
      if (policy.offlineKey) await this.offline.acceptKey(policy.offlineKey);
      await this.offline.setAllowed(policy.allowOfflineUnlock);
      await this.report();
    } catch {
      // A key or state that cannot be written must not disturb the online lock; the next policy call tries again.
    }
  }

  /** The server could not be reached (again). */
  unreachable(attempt: number): void {
    if (attempt < OFFER_OFFLINE_AFTER_ATTEMPTS || this.host.settled()) return;
    if (!this.offline.available) {
      // A key the computer hands over (the guard) may have arrived since the lock started.
      void this.offline.reloadKey().then(
        (taken) => taken && this.offline.available && this.unreachable(attempt),
        () => undefined,
      );
      return;
    }
    if (!this.host.state().offline) this.host.update({ offline: this.offline.peek() });
  }

  /** "Unlock with the helpdesk": the pop-up with a challenge (made now if there is none). */
  async show(): Promise<void> {
    if (this.host.settled() || !this.host.state().offline) return;
    // The challenge first, so the pop-up opens with it and the focus lands in the response field.
    await this.refreshOffer();
    if (this.host.settled() || !this.host.state().offline) return;
    this.host.update({ popup: 'offline' }, ['notice']);
    const waitUntil = this.host.state().offline?.waitUntil;
    if (waitUntil)
      this.host.update({ notice: offlineNotice(this.host.words, 'offline_waiting', { waitUntil, now: this.host.timers.now() }) });
  }

  private async refreshOffer(): Promise<void> {
    const offer = await this.offline.offer();
    if (this.host.settled()) return;
    if (!offer) {
      this.host.update({ popup: 'lock', notice: offlineNotice(this.host.words, 'offline_unavailable') }, ['offline']);
      return;
    }
    this.host.update({ offline: offer });
    // A new challenge when this one expires, or when the wait after a burnt one ends.
    this.host.timers.clearTimeout(this.timer);
    const at = offer.waitUntil ?? offer.expiresAt;
    if (at !== undefined) {
      this.timer = this.host.timers.setTimeout(
        () => {
          if (this.host.state().popup !== 'offline' || this.host.settled()) return;
          void this.refreshOffer().then(() => {
            if (this.host.state().notice?.code === 'offline_waiting') this.host.update({}, ['notice']);
          });
        },
        Math.max(0, at - this.host.timers.now()),
      );
    }
  }

  async unlock(input: OfflineUnlockInput): Promise<void> {
    const state = this.host.state();
    if (this.host.settled() || state.busy === 'offline' || state.popup !== 'offline') return;
    this.host.update({ busy: 'offline' }, ['notice']);
    const result = await this.offline.check(input.responseCode);
    this.host.update({}, ['busy']);
    if (this.host.settled()) return;
    if (result.ok) {
      this.host.timers.clearTimeout(this.timer);
      this.sessionChallenge = result.report.challenge;
      this.host.unlock();
      void this.report();
      return;
    }
    const now = this.host.timers.now();
    switch (result.reason) {
      case 'format':
        return this.host.update({ notice: offlineNotice(this.host.words, 'offline_format') });
      case 'wrong':
        this.host.update({ offline: this.offline.peek() });
        return this.host.update({ notice: offlineNotice(this.host.words, 'offline_wrong', { attemptsLeft: result.attemptsLeft }) });
      case 'burnt':
        await this.refreshOffer();
        return this.host.update({ notice: offlineNotice(this.host.words, 'offline_burnt', { waitUntil: result.waitUntil, now }) });
      case 'waiting':
        await this.refreshOffer();
        return this.host.update({
          notice: offlineNotice(this.host.words, 'offline_waiting', { waitUntil: this.offline.peek().waitUntil ?? now, now }),
        });
      case 'expired':
        await this.refreshOffer();
        return this.host.update({ notice: offlineNotice(this.host.words, 'offline_expired') });
      case 'unavailable':
        return this.host.update({ popup: 'lock', notice: offlineNotice(this.host.words, 'offline_unavailable') }, ['offline']);
    }
  }

  /** Reports each offline unlock not yet reported; stops at the first failure (tried again later). */
  async report(): Promise<void> {
    if (this.reporting) return;
    this.reporting = true;
    try {
      for (const report of [...this.offline.pendingReports]) {
        // v1.2: only the guard's report opens a session; a lock's is recorded and opens nothing.
        let sessionId: string | undefined;
        try {
          ({ sessionId } = await this.host.api(routes.reportOfflineUnlock, { body: report }));
        } catch (err) {
          // A report the server refuses for its content would be refused forever: drop it.
          if (err instanceof ApiError && err.status === 400) await this.offline.reported(report.challenge);
          else return this.scheduleReport();
          continue;
        }
        this.reportFailures = 0;
        await this.offline.reported(report.challenge);
        if (sessionId === undefined) continue;
        if (report.challenge === this.sessionChallenge && this.host.awaitingSession()) this.host.adoptSession(sessionId);
        // An unlock from an earlier sign-in: that session is over.
        else await this.host.api(routes.endSession, { params: { sessionId } }).catch(() => undefined);
      }
    } finally {
      this.reporting = false;
    }
  }

  /** Tries again soon after the unlock (the network often returns within seconds), then less and less often. */
  private scheduleReport(): void {
    this.host.timers.clearTimeout(this.reportTimer);
    if (this.offline.pendingReports.length === 0) return;
    const delay = Math.min(this.host.reportIntervalMs, 5_000 * 2 ** this.reportFailures);
    this.reportFailures += 1;
    this.reportTimer = this.host.timers.setTimeout(() => void this.report(), delay);
  }

  dispose(): void {
    this.host.timers.clearTimeout(this.timer);
    this.host.timers.clearTimeout(this.reportTimer);
  }
}

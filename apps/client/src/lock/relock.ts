import { SETTINGS_LIMITS, type Notice } from '@latchkey/contracts';
import type { Words } from './messages.js';

/**
 * Asking again when the session comes back (docs/client.md, "Asking again"). Windows tells us, in
 * the running instance (Electron powerMonitor) or by starting us again (a Task Scheduler session
 * state trigger handed to the running instance as a second instance), that the session was
 * unlocked, reconnected, connected at the console or resumed. Whether that locks again is decided
 * here, with no Electron or DOM in it.
 */
export const SESSION_EVENTS = ['windows-unlock', 'reconnect', 'resume'] as const;
export type SessionEvent = (typeof SESSION_EVENTS)[number];

export interface RelockInput {
  event: SessionEvent;
  /** Whether the lock is open (unlocked by an OTP) right now. */
  unlocked: boolean;
  askAgainOnUnlock: boolean;
  unlockGraceMinutes: number;
  /** When this user last unlocked this computer with Latchkey; undefined when not known. */
  lastUnlockAt: number | undefined;
  now: number;
}

export type RelockDecision =
  | { relock: true }
  | {
      relock: false;
      /** `locked`: nothing to do; `not_asked`: askAgainOnUnlock is off; `grace`: within unlockGraceMinutes of the last unlock. */
      reason: 'locked' | 'not_asked' | 'grace';
    };

/** Fail closed: an unknown last unlock, a clock that went backwards or a bad grace value all lock again. */
export function relockDecision(input: RelockInput): RelockDecision {
  if (!input.unlocked) return { relock: false, reason: 'locked' };
  if (!input.askAgainOnUnlock) return { relock: false, reason: 'not_asked' };
  const graceMs = Number.isFinite(input.unlockGraceMinutes)
    ? Math.min(SETTINGS_LIMITS.unlockGraceMinutes.maximum, Math.max(0, input.unlockGraceMinutes)) * 60_000
    : 0;
  const since = input.lastUnlockAt === undefined ? undefined : input.now - input.lastUnlockAt;
  if (since !== undefined && since >= 0 && since < graceMs) return { relock: false, reason: 'grace' };
  return { relock: true };
}

/** What the lock says after locking again; with `sentTo`, where the new OTP went at once (relockSendsToSessionEmail). */
export function relockNotice(w: Words, event: SessionEvent, sentTo?: string): Notice {
  const why = w.t(`relock.${event}`);
  if (sentTo) return { kind: 'success', code: 'relock_sent', text: w.t('notice.relockSent', { why, email: sentTo }) };
  return { kind: 'info', code: 'relocked', text: w.t('notice.relocked', { why }) };
}

/** The part of the lock controller the gate drives. */
export interface Relockable {
  readonly unlocked: boolean;
  readonly lastUnlockAt: number | undefined;
  readonly askAgain: { askAgainOnUnlock: boolean; unlockGraceMinutes: number };
  relock(event: SessionEvent): void;
}

/**
 * The one code path from an OS event to a re-lock, shared by Electron main and the preview:
 * decide, cover every display first (`cover` is synchronous and comes before anything else), then
 * put the controller back in the locked state.
 */
export function createRelockGate(options: {
  controller: Relockable;
  /** Shows the lock on every display again; called before the controller changes state. */
  cover: () => void;
  now: () => number;
  log?: (line: string) => void;
}) {
  return {
    onSessionEvent(event: SessionEvent): RelockDecision {
      const { controller } = options;
      const decision = relockDecision({
        event,
        unlocked: controller.unlocked,
        ...controller.askAgain,
        lastUnlockAt: controller.lastUnlockAt,
        now: options.now(),
      });
      options.log?.(`session event ${event}: ${decision.relock ? 'locking again' : `not locking again (${decision.reason})`}`);
      if (!decision.relock) return decision;
      options.cover();
      controller.relock(event);
      return decision;
    },
  };
}

import type { ActivityEvent, ActivityEventType } from '@latchkey/contracts';

/** Words for each activity event (the code stays in the timeline's title). */
export const ACTIVITY_WORDS: Record<ActivityEventType, string> = {
  'unlock.otp': 'Unlocked with a one-time password',
  'unlock.emergency': 'Unlocked after an emergency request',
  'unlock.generated': 'Unlocked with a password from the helpdesk',
  'unlock.offline': 'Unlocked offline with the helpdesk',
  'screen.locked': 'Windows screen locked',
  'screen.unlocked': 'Windows screen unlocked',
  idle: 'Idle (no keyboard or mouse input)',
  active: 'Active again',
  suspend: 'Went to sleep',
  resume: 'Woke from sleep',
  'remote.connected': 'Remote session connected',
  'remote.disconnected': 'Remote session disconnected',
  signed_out: 'Signed out of Windows',
  ended: 'Session ended',
};

export interface ActivityTotals {
  /** Milliseconds with someone at the computer: unlocked, awake, not idle. */
  activeMs: number;
  /** Milliseconds unlocked and awake but without input. */
  idleMs: number;
}

type Phase = 'active' | 'idle' | 'away' | 'over';

const NEXT: Record<ActivityEventType, Phase | undefined> = {
  'unlock.otp': 'active',
  'unlock.emergency': 'active',
  'unlock.generated': 'active',
  'unlock.offline': 'active',
  'screen.unlocked': 'active',
  resume: 'active',
  'remote.connected': 'active',
  active: 'active',
  idle: 'idle',
  'screen.locked': 'away',
  suspend: 'away',
  'remote.disconnected': 'away',
  signed_out: 'over',
  ended: 'over',
};

/**
 * Active and idle time of one session. It starts active at `startedAt` (the unlock) and runs to `endAt`
 * (when it ended, or was last heard of). Screen locked, asleep or disconnected counts as neither; idle
 * while away stays away until the person is back (an unlock, resume or reconnect makes it active).
 * Events outside the session are clipped to it; events may come in any order.
 */
export function activityTotals(events: readonly ActivityEvent[], startedAt: number, endAt: number): ActivityTotals {
  const totals: ActivityTotals = { activeMs: 0, idleMs: 0 };
  if (endAt <= startedAt) return totals;
  const sorted = [...events].sort((a, b) => a.at - b.at);
  let phase: Phase = 'active';
  let since = startedAt;
  const close = (until: number) => {
    const to = Math.min(Math.max(until, startedAt), endAt);
    if (to > since) {
      if (phase === 'active') totals.activeMs += to - since;
      if (phase === 'idle') totals.idleMs += to - since;
      since = to;
    }
  };
  for (const event of sorted) {
    const next = NEXT[event.type];
    if (!next || phase === 'over') continue;
    // Idle or active while the screen is locked or asleep changes nothing: the person is away.
    if (phase === 'away' && (event.type === 'idle' || event.type === 'active')) continue;
    close(event.at);
    phase = next;
  }
  close(endAt);
  return totals;
}

/** "2 h 5 min", "12 min", "under 1 min", "0 min". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0 min';
  if (ms < 60_000) return 'under 1 min';
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${minutes} min`;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

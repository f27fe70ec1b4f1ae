import { describe, expect, it } from 'vitest';
import { ACTIVITY_EVENT_TYPES, type ActivityEvent } from '@latchkey/contracts';
import { ACTIVITY_WORDS, activityTotals, formatDuration } from './activity';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 5, 9, 0);
const at = (minutes: number, type: ActivityEvent['type']): ActivityEvent => ({ type, at: T + minutes * MIN });

describe('activityTotals', () => {
  it('counts a session with no events as active from start to end', () => {
    expect(activityTotals([], T, T + 30 * MIN)).toEqual({ activeMs: 30 * MIN, idleMs: 0 });
  });

  it('splits active and idle time, and leaves screen lock and sleep out of both', () => {
    const events = [
      at(0, 'unlock.otp'),
      at(10, 'idle'),
      at(15, 'active'),
      at(20, 'screen.locked'),
      at(25, 'idle'), // while locked: still away
      at(30, 'screen.unlocked'),
      at(40, 'suspend'),
      at(50, 'resume'),
      at(55, 'idle'),
    ];
    // active 0–10, 15–20, 30–40, 50–55 = 30; idle 10–15, 55–60 = 10
    expect(activityTotals(events, T, T + 60 * MIN)).toEqual({ activeMs: 30 * MIN, idleMs: 10 * MIN });
  });

  it('stops at sign-out or end, takes events in any order, and clips events outside the session', () => {
    const events = [at(30, 'signed_out'), at(20, 'idle'), at(-5, 'idle'), at(45, 'active'), at(5, 'active')];
    // idle from before the start (clipped) until 5, active 5–20, idle 20–30, then over
    expect(activityTotals(events, T, T + 60 * MIN)).toEqual({ activeMs: 15 * MIN, idleMs: 15 * MIN });
  });

  it('treats a remote disconnect as away until the reconnect', () => {
    const events = [at(10, 'remote.disconnected'), at(40, 'remote.connected')];
    expect(activityTotals(events, T, T + 50 * MIN)).toEqual({ activeMs: 20 * MIN, idleMs: 0 });
  });

  it('gives nothing for an empty or reversed range', () => {
    expect(activityTotals([at(1, 'idle')], T, T)).toEqual({ activeMs: 0, idleMs: 0 });
  });
});

describe('activity words', () => {
  it('has words for every event type of the contract', () => {
    for (const type of ACTIVITY_EVENT_TYPES) expect(ACTIVITY_WORDS[type]).toMatch(/\w/);
  });
  it('formats durations', () => {
    expect([0, 30_000, 12 * MIN, 125 * MIN, 120 * MIN].map(formatDuration)).toEqual(['0 min', 'under 1 min', '12 min', '2 h 5 min', '2 h']);
  });
});

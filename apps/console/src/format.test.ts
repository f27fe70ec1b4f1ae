import { describe, expect, it } from 'vitest';
import { formatRelative, formatRemaining, fromLocalInput, parseList } from './format';

const MINUTE = 60_000;

describe('formatRemaining', () => {
  it('counts whole minutes down and never rounds a request up past its lifetime', () => {
    const now = 1_700_000_000_000;
    expect(formatRemaining(now + 30 * MINUTE + 5000, now)).toBe('30 min');
    expect(formatRemaining(now + 29 * MINUTE + 59_000, now)).toBe('29 min');
    expect(formatRemaining(now + 90 * MINUTE, now)).toBe('1 h 30 min');
    expect(formatRemaining(now + 120 * MINUTE, now)).toBe('2 h');
  });

  it('says when less than a minute is left and when it is over', () => {
    const now = 1_700_000_000_000;
    expect(formatRemaining(now + 30_000, now)).toBe('under 1 min');
    expect(formatRemaining(now, now)).toBe('expired');
    expect(formatRemaining(now - MINUTE, now)).toBe('expired');
  });
});

describe('formatRelative', () => {
  it('shows ages in the largest fitting unit and hides sub-minute jitter', () => {
    const now = 1_700_000_000_000;
    const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    expect(formatRelative(now - 10_000, now)).toBe(rtf.format(0, 'second'));
    expect(formatRelative(now + 10_000, now)).toBe(rtf.format(0, 'second'));
    expect(formatRelative(now - 5 * MINUTE, now)).toBe(rtf.format(-5, 'minute'));
    expect(formatRelative(now - 3 * 60 * MINUTE, now)).toBe(rtf.format(-3, 'hour'));
    expect(formatRelative(now - 2 * 24 * 60 * MINUTE, now)).toBe(rtf.format(-2, 'day'));
  });
});

describe('fromLocalInput', () => {
  it('reads a datetime-local value as local time and ignores empty or broken input', () => {
    expect(fromLocalInput('2026-03-01T10:15')).toBe(new Date(2026, 2, 1, 10, 15).getTime());
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a date')).toBeUndefined();
  });
});

describe('parseList', () => {
  it('takes entries one a line or comma-separated, trimmed, without empty ones or repeats that differ only in case', () => {
    expect(parseList(' CORP\\bob ,\n\nkiosk,corp\\BOB\n')).toEqual(['CORP\\bob', 'kiosk']);
    expect(parseList('')).toEqual([]);
  });
});

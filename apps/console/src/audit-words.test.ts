import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '@latchkey/contracts';
import { AUDIT_WORDS, auditDetailWords, auditWords } from './audit-words';
import { formatTime } from './format';

describe('audit words', () => {
  it('has distinct words for every audit type the server writes', () => {
    const words = AUDIT_EVENT_TYPES.map((type) => AUDIT_WORDS[type]);
    for (const w of words) expect(w).toMatch(/^[A-Z]/);
    expect(new Set(words).size).toBe(words.length);
    expect(Object.keys(AUDIT_WORDS).sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });
  it('shows an unknown type as its code', () => {
    expect(auditWords('otp.verified')).toBe('Unlocked with a one-time password');
    expect(auditWords('something.new')).toBe('something.new');
    expect(auditWords('constructor')).toBe('constructor');
  });
  it('puts a settings change in words', () => {
    expect(auditDetailWords('settings.changed', 'autoSendToDirectoryUsers: true -> false; otpLength: 6 -> 8')).toBe(
      'Automatically send to directory users: on → off; One-time password length: 6 → 8',
    );
    expect(auditDetailWords('settings.changed', 'no change')).toBe('no change');
  });
  it('shows ISO times in the browser’s locale', () => {
    const iso = '2026-12-07T09:30:00.000Z';
    expect(auditDetailWords('otp.verified', `until ${iso}`)).toBe(`until ${formatTime(Date.parse(iso))}`);
  });
});

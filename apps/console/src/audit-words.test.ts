import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '@latchkey/contracts';
import { AUDIT_WORDS, auditWords } from './audit-words';

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
});

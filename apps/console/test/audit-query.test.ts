import { describe, expect, it } from 'vitest';
import { auditQuery } from '../src/data/audit';

const NONE = { type: '', computer: '', user: '', from: '', to: '' };

describe('auditQuery', () => {
  it('sends only the filters given, trimmed, with the limit', () => {
    expect(auditQuery({ ...NONE, type: 'otp_verified', computer: ' PC-1 ', user: '  ' })).toEqual({
      query: { limit: '500', type: 'otp_verified', computer: 'PC-1' },
      since: undefined,
    });
  });

  it('reads "To 10:15" as up to 10:15:59.999 and keeps "From" to be applied to the answer', () => {
    const { query, since } = auditQuery({ ...NONE, from: '2026-03-01T09:00', to: '2026-03-01T10:15' });
    expect(query.until).toBe(String(new Date('2026-03-01T10:15').getTime() + 59_999));
    expect(query).not.toHaveProperty('since');
    expect(since).toBe(new Date('2026-03-01T09:00').getTime());
  });
});

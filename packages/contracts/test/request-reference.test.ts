import { describe, expect, it } from 'vitest';
import { normaliseRequestReference, requestReference } from '../src/index.js';

describe('request reference', () => {
  it('is eight Crockford characters in two groups, the same for the same id, different for another', () => {
    const a = requestReference('Abc123_-xyZ0987654321');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(requestReference('Abc123_-xyZ0987654321')).toBe(a);
    expect(requestReference('abc123_-xyZ0987654321')).not.toBe(a);
  });

  it('has no collisions among 20,000 ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(requestReference(`request-${i.toString(36)}-id`));
    expect(seen.size).toBe(20_000);
  });

  it('reads back what a person typed, misheard letters included', () => {
    const ref = requestReference('some-request-id-1');
    expect(normaliseRequestReference(ref.toLowerCase().replace('-', ' '))).toBe(ref);
    expect(normaliseRequestReference('0O1I-L111')).toBe('0011-1111');
    expect(normaliseRequestReference('short')).toBeNull();
    expect(normaliseRequestReference('ABCD-EFGU')).toBeNull();
  });
});

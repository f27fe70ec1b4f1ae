import { describe, expect, it } from 'vitest';
import { newId, newToken } from '../../src/crypto/tokens.js';

describe('random identifiers and tokens', () => {
  it('cuts ids of 96 bits from its pool, never the same one twice, across many refills', () => {
    // 4,092 bytes a pool, 12 an id: 20,000 ids cross the refill about 58 times.
    const ids = Array.from({ length: 20_000 }, newId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads the bits of ids evenly: every base64url character turns up in every position', () => {
    const ids = Array.from({ length: 4_000 }, newId);
    for (let position = 0; position < 16; position++) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(64);
    }
  });

  it('gives tokens 256 bits of their own', () => {
    const tokens = Array.from({ length: 1_000 }, newToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

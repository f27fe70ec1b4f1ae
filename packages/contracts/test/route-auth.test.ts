import { describe, expect, it } from 'vitest';
import { routes } from '../src/index.js';

describe('Client routes', () => {
  it('document the 403 a guard token gets on every route that is for locks only', () => {
    const lockOnly = Object.values(routes).filter((r) => r.auth.kind === 'client' && !r.auth.guard);
    expect(lockOnly.length).toBeGreaterThan(5);
    expect(lockOnly.filter((r) => !(403 in r.schema.response)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });
});

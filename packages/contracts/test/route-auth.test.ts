import { describe, expect, it } from 'vitest';
import { clientCallers, routes } from '../src/index.js';

describe('Client routes', () => {
  it('document the 403 a token outside the callers gets on every route that is not for every token', () => {
    const lockOnly = Object.values(routes).filter((r) => r.auth.kind === 'client' && clientCallers(r.auth).length < 4);
    expect(lockOnly.length).toBeGreaterThan(5);
    expect(lockOnly.filter((r) => !(403 in r.schema.response)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('let only the machine’s and the guard’s own tokens make per-user tokens', () => {
    const auth = routes.createUserToken.auth;
    expect(auth.kind === 'client' && clientCallers(auth)).toEqual(['machine', 'guard']);
  });
});

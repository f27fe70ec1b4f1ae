import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoRoutes, routes } from '../src/index.js';

// docs/api.md lists every route with where it is specified; a route added to the contracts without a
// line there (and, beyond the contract, a reason) fails here.
const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\S+)\s*\|/gm)].map((m) => `${m[1]} ${m[2]}`));

describe('docs/api.md', () => {
  it('lists every route descriptor', () => {
    const missing = [...Object.values(routes), ...Object.values(demoRoutes)]
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
  });

  it('lists no route the contracts do not have', () => {
    const known = new Set([...Object.values(routes), ...Object.values(demoRoutes)].map((r) => `${r.method} ${r.url}`));
    expect([...documented].filter((r) => !known.has(r))).toEqual([]);
  });
});

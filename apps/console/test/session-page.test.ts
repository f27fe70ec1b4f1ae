import { describe, expect, it } from 'vitest';
import type { AdminSession } from '@latchkey/contracts';
import { SESSION_PAGE_SIZE, sessionPage } from '../src/data/sessions';

const session = (id: string, state: 'active' | 'ended'): AdminSession => ({ sessionId: id, state }) as AdminSession;
const many = (prefix: string, n: number, state: 'active' | 'ended') => Array.from({ length: n }, (_, i) => session(`${prefix}${i}`, state));

/** A server holding `active` and `ended` sessions (newest first), answering the list route's query; it notes each query. */
function server(active: AdminSession[], ended: AdminSession[]) {
  const queries: Record<string, string>[] = [];
  const list = (query: Record<string, string | undefined>) => {
    queries.push(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string>);
    const rows = query.active === 'true' ? active : ended;
    const offset = Number(query.offset ?? 0);
    return Promise.resolve(rows.slice(offset, offset + Number(query.limit)));
  };
  return { list, queries };
}

describe('sessionPage', () => {
  it('lists the active sessions first, then fills the page with ended ones, and says a next page exists', async () => {
    const s = server(many('a', 3, 'active'), many('e', 30, 'ended'));
    const page = await sessionPage(s.list, '', 0);
    expect(page.rows.map((r) => r.sessionId)).toEqual([
      ...['a0', 'a1', 'a2'],
      ...many('e', SESSION_PAGE_SIZE - 3, 'ended').map((r) => r.sessionId),
    ]);
    expect(page.hasNext).toBe(true);
    // One ended row more than the page needs tells whether there is a next page.
    expect(s.queries[1]).toEqual({ active: 'false', limit: String(SESSION_PAGE_SIZE - 3 + 1), offset: '0' });
  });

  it('continues the ended sessions where the previous page stopped, and has no next page at the end', async () => {
    const s = server(many('a', 3, 'active'), many('e', 30, 'ended'));
    const page = await sessionPage(s.list, 'pc-1', 1);
    expect(page.rows.map((r) => r.sessionId)).toEqual(
      many('e', 30, 'ended')
        .slice(17)
        .map((r) => r.sessionId),
    );
    expect(page.hasNext).toBe(false);
    expect(s.queries.every((q) => q.q === 'pc-1')).toBe(true);
  });

  it('pages through more active sessions than fit on one page before any ended one', async () => {
    const s = server(many('a', SESSION_PAGE_SIZE + 5, 'active'), many('e', 2, 'ended'));
    const first = await sessionPage(s.list, '', 0);
    expect(first.rows.every((r) => r.state === 'active')).toBe(true);
    expect(first.hasNext).toBe(true);
    const second = await sessionPage(s.list, '', 1);
    expect(second.rows.map((r) => r.sessionId)).toEqual(['a20', 'a21', 'a22', 'a23', 'a24', 'e0', 'e1']);
    expect(second.hasNext).toBe(false);
  });
});

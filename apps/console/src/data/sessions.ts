import { routes, type AdminSession, type RouteInput } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync, type AsyncState } from './use-async';

/** Rows on one page of the Sessions list. */
export const SESSION_PAGE_SIZE = 20;
/** The server lists newest first; active sessions are fetched apart so they always come first. */
const MAX_ACTIVE = 500;

export interface SessionPage {
  rows: AdminSession[];
  hasNext: boolean;
}

type SessionQuery = NonNullable<RouteInput<typeof routes.listSessions>['query']>;

/**
 * Page `page` (from 0) of the sessions matching `q`: the active ones first, then the ended ones,
 * each newest first. `list` asks the server for one query.
 */
export async function sessionPage(list: (query: SessionQuery) => Promise<AdminSession[]>, q: string, page: number): Promise<SessionPage> {
  const search = q ? { q } : {};
  const active = await list({ ...search, active: 'true', limit: String(MAX_ACTIVE) });
  const start = page * SESSION_PAGE_SIZE;
  const activeRows = active.slice(start, start + SESSION_PAGE_SIZE);
  const endedNeeded = SESSION_PAGE_SIZE - activeRows.length;
  const endedOffset = Math.max(0, start - active.length);
  // One more than needed tells whether a next page exists.
  const ended = await list({ ...search, active: 'false', limit: String(endedNeeded + 1), offset: String(endedOffset) });
  const more = active.length > start + SESSION_PAGE_SIZE || ended.length > endedNeeded;
  return { rows: [...activeRows, ...ended.slice(0, endedNeeded)], hasNext: more };
}

/** One page of the Sessions list, refreshed every 15 seconds while the tab is shown. */
export function useSessionPage(q: string, page: number): AsyncState<SessionPage> {
  return useAsync((signal) => sessionPage((query) => api(routes.listSessions, { query }, signal), q, page), [q, page], 15_000);
}

/** One session's activity events, oldest first, refreshed every 30 seconds while the tab is shown. */
export function useSessionEvents(sessionId: string) {
  return useAsync((signal) => api(routes.listSessionEvents, { params: { sessionId } }, signal), [sessionId], 30_000);
}

import type { ActivityEvent, ActivityEventType } from '@latchkey/contracts';
import { all, get, run, sql, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import type { Refusal } from '../refusal.js';
import { actsFor, type TokenHolder } from '../clients/client-store.js';

export type ActivityStore = ReturnType<typeof activityStore>;

/** Events dated before the session started or after the server's now, beyond this slack, are refused. */
export const ACTIVITY_CLOCK_SLACK_MS = 5 * 60_000;

/** At most this many events are kept per session (about three weeks of one change a minute). */
export const ACTIVITY_EVENTS_PER_SESSION_MAX = 20_000;

/**
 * The events that close a session. They never count against the cap, so a session filled with
 * events (by its own Client or anyone holding that Client's token) can still record its sign-out;
 * of these, a session keeps the most recently received few, which bounds them too.
 */
const CLOSING_EVENTS: ReadonlySet<ActivityEventType> = new Set(['signed_out', 'ended']);
export const CLOSING_EVENTS_PER_SESSION_KEPT = 10;

/** Sorted by time, then type; exact duplicates (same type and time) once. */
export function normaliseEvents(events: readonly ActivityEvent[]): ActivityEvent[] {
  const seen = new Set<string>();
  const out: ActivityEvent[] = [];
  for (const event of [...events].sort((a, b) => a.at - b.at || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))) {
    const key = `${event.at}:${event.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type: event.type, at: event.at });
  }
  return out;
}

const owned = sql<[string, string], { startedAt: number; osUser: string }>(
  'SELECT started_at AS "startedAt", os_user AS "osUser" FROM sessions WHERE id = ? AND client_id = ?',
);
const exists = sql<[string], { id: string }>('SELECT id FROM sessions WHERE id = ?');
const count = sql<[string], { n: number }>(
  "SELECT count(*) AS n FROM session_events WHERE session_id = ? AND type NOT IN ('signed_out', 'ended')",
);
const trimClosing = sql<[string, string, number]>({
  sqlite: `DELETE FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended') AND rowid NOT IN (
     SELECT rowid FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended')
     ORDER BY received_at DESC, rowid DESC LIMIT ?)`,
  postgres: `DELETE FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended') AND ctid NOT IN (
     SELECT ctid FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended')
     ORDER BY received_at DESC, at DESC LIMIT ?)`,
});
const insert = sql<[string, number, string, number]>(
  'INSERT INTO session_events (session_id, at, type, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
);
const list = sql<[string], { type: ActivityEventType; at: number }>(
  'SELECT type, at FROM session_events WHERE session_id = ? ORDER BY at, type',
);

/** The one writer of `session_events`. Returns values; a refusal says why (routes map it to HTTP). */
export function activityStore(clock: Clock) {
  return {
    /**
     * Stores a batch for a session of this holder (another Client's session, or with a per-user token
     * another osUser's, is "not found"): the whole batch in the caller's transaction, or none of it.
     */
    *append(holder: TokenHolder, sessionId: string, events: readonly ActivityEvent[]): Work<number | Refusal> {
      const session = yield* get(owned, sessionId, holder.id);
      if (!session || !actsFor(holder, session.osUser)) return { refused: 'not_found', what: 'session' };
      const now = clock.now();
      const batch = normaliseEvents(events);
      if (batch.some((event) => event.at < session.startedAt - ACTIVITY_CLOCK_SLACK_MS || event.at > now + ACTIVITY_CLOCK_SLACK_MS)) {
        return { refused: 'events_outside_session' };
      }
      const closing = batch.filter((event) => CLOSING_EVENTS.has(event.type));
      let accepted = batch;
      if (
        closing.length < batch.length &&
        (yield* get(count, sessionId))!.n + batch.length - closing.length > ACTIVITY_EVENTS_PER_SESSION_MAX
      ) {
        // A full session still records how it closed: a batch with a sign-out keeps just that part.
        if (closing.length === 0) return { refused: 'too_many_events' };
        accepted = closing;
      }
      let stored = 0;
      for (const event of accepted) stored += (yield* run(insert, sessionId, event.at, event.type, now)).changes;
      if (closing.length > 0) yield* run(trimClosing, sessionId, sessionId, CLOSING_EVENTS_PER_SESSION_KEPT);
      return stored;
    },
    /** Oldest first; undefined when there is no such session. */
    *list(sessionId: string): Work<ActivityEvent[] | undefined> {
      if (!(yield* get(exists, sessionId))) return undefined;
      return yield* all(list, sessionId);
    },
  };
}

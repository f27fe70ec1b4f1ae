import type { ActivityEvent, ActivityEventType } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { AppError } from '../app-error.js';
import { actsFor, type TokenHolder } from '../clients/client-store.js';

export type ActivityStore = ReturnType<typeof createActivityStore>;

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

/** The one writer of `session_events`. */
export function createActivityStore(db: Db, clock: Clock) {
  const owned = db.prepare<[string, string], { startedAt: number; osUser: string }>(
    'SELECT started_at AS startedAt, os_user AS osUser FROM sessions WHERE id = ? AND client_id = ?',
  );
  const exists = db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE id = ?');
  const count = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM session_events WHERE session_id = ? AND type NOT IN ('signed_out', 'ended')",
  );
  const trimClosing = db.prepare<[string, string, number]>(
    `DELETE FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended') AND rowid NOT IN (
       SELECT rowid FROM session_events WHERE session_id = ? AND type IN ('signed_out', 'ended')
       ORDER BY received_at DESC, rowid DESC LIMIT ?)`,
  );
  const insert = db.prepare<[string, number, string, number]>(
    'INSERT OR IGNORE INTO session_events (session_id, at, type, received_at) VALUES (?, ?, ?, ?)',
  );
  const list = db.prepare<[string], { type: ActivityEventType; at: number }>(
    'SELECT type, at FROM session_events WHERE session_id = ? ORDER BY at, type',
  );

  return {
    /**
     * Stores a batch for a session of this holder (another Client's session, or with a per-user token
     * another osUser's, is "not found"). Call
     * inside a write transaction: the whole batch goes in with one prepared statement, or none of it.
     */
    append(holder: TokenHolder, sessionId: string, events: readonly ActivityEvent[]): number {
      const session = owned.get(sessionId, holder.id);
      if (!session || !actsFor(holder, session.osUser)) throw new AppError(404, 'not_found', 'No such session.');
      const now = clock.now();
      const batch = normaliseEvents(events);
      for (const event of batch) {
        if (event.at < session.startedAt - ACTIVITY_CLOCK_SLACK_MS || event.at > now + ACTIVITY_CLOCK_SLACK_MS) {
          throw new AppError(400, 'invalid_request', 'An event is dated outside its session.');
        }
      }
      const closing = batch.filter((event) => CLOSING_EVENTS.has(event.type));
      let accepted = batch;
      if (closing.length < batch.length && count.get(sessionId)!.n + batch.length - closing.length > ACTIVITY_EVENTS_PER_SESSION_MAX) {
        // A full session still records how it closed: a batch with a sign-out keeps just that part.
        if (closing.length === 0) throw new AppError(400, 'invalid_request', 'This session has recorded too many events.');
        accepted = closing;
      }
      let stored = 0;
      for (const event of accepted) stored += insert.run(sessionId, event.at, event.type, now).changes;
      if (closing.length > 0) trimClosing.run(sessionId, sessionId, CLOSING_EVENTS_PER_SESSION_KEPT);
      return stored;
    },
    /** Oldest first; undefined when there is no such session. */
    list(sessionId: string): ActivityEvent[] | undefined {
      if (!exists.get(sessionId)) return undefined;
      return list.all(sessionId);
    },
  };
}

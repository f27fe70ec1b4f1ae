import type { AuditEvent, AuditEventType } from '@latchkey/contracts';
import type { Clock } from '../clock.js';
import { afterCommit, all, get, sql, type Work } from '../db/engine.js';

export interface AuditEntry {
  type: AuditEventType;
  actor?: string | null;
  clientId?: string | null;
  computerName?: string | null;
  osUser?: string | null;
  email?: string | null;
  requestId?: string | null;
  /** Free text for people; never a code, password or token. */
  detail?: string | null;
}

export interface AuditQuery {
  limit: number;
  type?: string;
  computer?: string;
  user?: string;
  since?: number;
  until?: number;
}

const insert = sql<Record<string, unknown>, { id: number }>(
  `INSERT INTO audit_events (at, type, actor, client_id, computer_name, os_user, email, request_id, detail)
   VALUES (@at, @type, @actor, @clientId, @computerName, @osUser, @email, @requestId, @detail)
   RETURNING id`,
);
// LIKE is case-insensitive for ASCII on SQLite; PostgreSQL says so with ILIKE.
const select = sql<Record<string, unknown>, AuditEvent>({
  sqlite: `SELECT id, at, type, actor, client_id AS clientId, computer_name AS computerName, os_user AS osUser,
            email, request_id AS requestId, detail
       FROM audit_events
      WHERE (@type IS NULL OR type = @type)
        AND (@computer IS NULL OR computer_name LIKE '%' || @computer || '%' ESCAPE '\\')
        AND (@user IS NULL OR os_user LIKE '%' || @user || '%' ESCAPE '\\' OR email LIKE '%' || @user || '%' ESCAPE '\\'
             OR actor LIKE '%' || @user || '%' ESCAPE '\\')
        AND (@since IS NULL OR at >= @since)
        AND (@until IS NULL OR at <= @until)
      ORDER BY id DESC
      LIMIT @limit`,
  postgres: `SELECT id, at, type, actor, client_id AS "clientId", computer_name AS "computerName", os_user AS "osUser",
            email, request_id AS "requestId", detail
       FROM audit_events
      WHERE (@type::text IS NULL OR type = @type::text)
        AND (@computer::text IS NULL OR computer_name ILIKE '%' || @computer::text || '%' ESCAPE '\\')
        AND (@user::text IS NULL OR os_user ILIKE '%' || @user::text || '%' ESCAPE '\\' OR email ILIKE '%' || @user::text || '%' ESCAPE '\\'
             OR actor ILIKE '%' || @user::text || '%' ESCAPE '\\')
        AND (@since::bigint IS NULL OR at >= @since::bigint)
        AND (@until::bigint IS NULL OR at <= @until::bigint)
      ORDER BY id DESC
      LIMIT @limit`,
});

/** Events recorded while the node starts are kept for followers attaching then, up to this many. */
const EARLY_EVENTS_MAX = 10_000;

export type AuditStore = ReturnType<typeof auditStore>;

/**
 * The one writer of `audit_events`. `record` runs inside the transaction of the change it records.
 * Followers (this node's syslog copy, its metrics counters) are handed each event this node recorded
 * once its transaction has committed: never an event that was rolled back, and on several nodes each
 * event by the node that recorded it only. What a node records while it starts (the first admin of a
 * new database) is kept for the followers, which attach as the plugins are registered.
 */
export function auditStore(clock: Clock) {
  const followers: ((events: AuditEvent[]) => void)[] = [];
  let early: AuditEvent[] | undefined = [];

  function publish(event: AuditEvent): void {
    if (early && early.length < EARLY_EVENTS_MAX) early.push(event);
    for (const follower of followers) follower([event]);
  }

  return {
    *record(entry: AuditEntry): Work<void> {
      const event = {
        at: clock.now(),
        type: entry.type,
        actor: entry.actor ?? null,
        clientId: entry.clientId ?? null,
        computerName: entry.computerName ?? null,
        osUser: entry.osUser ?? null,
        email: entry.email ?? null,
        requestId: entry.requestId ?? null,
        detail: entry.detail ?? null,
      };
      const { id } = (yield* get(insert, event))!;
      yield* afterCommit(() => publish({ id, ...event }));
    },
    *list(query: AuditQuery): Work<AuditEvent[]> {
      return yield* all(select, {
        limit: query.limit,
        type: query.type ?? null,
        computer: query.computer === undefined ? null : escapeLike(query.computer),
        user: query.user === undefined ? null : escapeLike(query.user),
        since: query.since ?? null,
        until: query.until ?? null,
      });
    },
    /**
     * Hands every audit event this node commits from now on to `follower`, in commit order; a
     * follower attached while the node starts (the syslog copy, the metrics) first gets what the
     * start itself recorded.
     */
    follow(follower: (events: AuditEvent[]) => void): void {
      if (early && early.length > 0) follower([...early]);
      followers.push(follower);
    },
    /** The node has started: what it records from now on reaches only the followers attached. */
    started(): void {
      early = undefined;
    },
  };
}

/** LIKE wildcards in user input match literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

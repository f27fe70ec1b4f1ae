import type { AuditEvent, AuditEventType } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';

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

export type AuditLog = ReturnType<typeof createAuditLog>;

export function createAuditLog(db: Db, clock: Clock) {
  const insert = db.prepare(
    `INSERT INTO audit_events (at, type, actor, client_id, computer_name, os_user, email, request_id, detail)
     VALUES (@at, @type, @actor, @clientId, @computerName, @osUser, @email, @requestId, @detail)`,
  );
  const select = db.prepare<Record<string, unknown>, AuditEvent>(
    `SELECT id, at, type, actor, client_id AS clientId, computer_name AS computerName, os_user AS osUser,
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
  );

  const after = db.prepare<[number, number], AuditEvent>(
    `SELECT id, at, type, actor, client_id AS clientId, computer_name AS computerName, os_user AS osUser,
            email, request_id AS requestId, detail
       FROM audit_events WHERE id > ? ORDER BY id LIMIT ?`,
  );
  const lastId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_events');
  const followers: ((events: AuditEvent[]) => void)[] = [];
  // Followers attach once the node's start is done (syslog and metrics are plugins registered after the
  // services); what the start itself recorded (the first admin of a new database) reaches them too.
  const openedAt = lastId.get()!.id ?? 0;
  let cursor = 0;
  let draining = false;

  // Runs in its own turn of the event loop, when no transaction is open (better-sqlite3's are synchronous):
  // rows it reads are committed, and rows of a rolled-back transaction are never seen.
  function drain(): void {
    draining = false;
    try {
      for (;;) {
        const events = after.all(cursor, 500);
        if (events.length === 0) return;
        cursor = events.at(-1)!.id;
        for (const follower of followers) follower(events);
        if (events.length < 500) return;
      }
    } catch {
      // The database is closed or failing: the next recorded event reads on from the same cursor.
    }
  }

  return {
    /**
     * Hands every audit event committed since this log was opened (at the node's start) to `follower`,
     * in order, shortly after its commit (the syslog copy and the metrics counters). Off the request
     * path: recording only schedules a read.
     */
    follow(follower: (events: AuditEvent[]) => void): void {
      if (followers.length === 0) cursor = openedAt;
      // A later follower first catches up with what the others were already handed.
      for (let from = openedAt; from < cursor;) {
        const events = after.all(from, 500).filter((event) => event.id <= cursor);
        if (events.length === 0) break;
        follower(events);
        from = events.at(-1)!.id;
      }
      followers.push(follower);
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    },
    record(entry: AuditEntry): void {
      if (followers.length > 0 && !draining) {
        draining = true;
        setImmediate(drain);
      }
      insert.run({
        at: clock.now(),
        type: entry.type,
        actor: entry.actor ?? null,
        clientId: entry.clientId ?? null,
        computerName: entry.computerName ?? null,
        osUser: entry.osUser ?? null,
        email: entry.email ?? null,
        requestId: entry.requestId ?? null,
        detail: entry.detail ?? null,
      });
    },
    list(query: AuditQuery): AuditEvent[] {
      return select.all({
        limit: query.limit,
        type: query.type ?? null,
        computer: query.computer === undefined ? null : escapeLike(query.computer),
        user: query.user === undefined ? null : escapeLike(query.user),
        since: query.since ?? null,
        until: query.until ?? null,
      });
    },
  };
}

/** LIKE wildcards in user input match literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

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

  return {
    record(entry: AuditEntry): void {
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

import type { AdminSession, SessionVia } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { AppError } from '../app-error.js';
import { escapeLike } from '../audit/audit-log.js';
import { newId } from '../crypto/tokens.js';

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(db: Db, clock: Clock) {
  const owned = db.prepare<[string, string], { endedAt: number | null }>(
    'SELECT ended_at AS endedAt FROM sessions WHERE id = ? AND client_id = ?',
  );
  const insert = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
     VALUES (@id, @clientId, @requestId, @osUser, @email, @via, @now, @now)`,
  );
  const touch = db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE id = ?');
  const emailsOf = db.prepare<[string], { email: string }>(
    'SELECT email FROM sessions WHERE os_user = ? COLLATE NOCASE GROUP BY lower(email) ORDER BY max(started_at) DESC LIMIT 20',
  );
  const end = db.prepare<[number, number, string]>('UPDATE sessions SET ended_at = ?, last_seen_at = ? WHERE id = ? AND ended_at IS NULL');
  const list = db.prepare<Record<string, unknown>, Omit<AdminSession, 'userName'>>(
    `SELECT s.id AS sessionId, s.client_id AS clientId, c.computer_name AS computerName, s.os_user AS osUser, s.email,
            s.via, s.started_at AS startedAt, s.last_seen_at AS lastSeenAt, s.ended_at AS endedAt
       FROM sessions s JOIN clients c ON c.id = s.client_id
      WHERE (@q IS NULL OR c.computer_name LIKE @q ESCAPE '\\' OR s.os_user LIKE @q ESCAPE '\\' OR s.email LIKE @q ESCAPE '\\')
        AND (@active IS NULL OR (s.ended_at IS NULL) = @active)
      ORDER BY s.started_at DESC, s.id
      LIMIT @limit OFFSET @offset`,
  );

  function requireOwned(clientId: string, sessionId: string) {
    const row = owned.get(sessionId, clientId);
    if (!row) throw new AppError(404, 'not_found', 'No such session.');
    return row;
  }

  return {
    /** Opens a session (the lock is lifted); returns its id. */
    start(session: { clientId: string; requestId: string | null; osUser: string; email: string; via: SessionVia }): string {
      const id = newId();
      insert.run({ id, ...session, now: clock.now() });
      return id;
    },
    /** The emails this osUser unlocked with before, most recent first. */
    emailsVerifiedBy: (osUser: string): string[] => emailsOf.all(osUser).map((r) => r.email),
    heartbeat(clientId: string, sessionId: string): void {
      if (requireOwned(clientId, sessionId).endedAt !== null) throw new AppError(409, 'session_ended', 'This session has ended.');
      touch.run(clock.now(), sessionId);
    },
    end(clientId: string, sessionId: string): boolean {
      requireOwned(clientId, sessionId);
      const now = clock.now();
      return end.run(now, now, sessionId).changes === 1;
    },
    /** Newest first; `userName` is `<osUser> (<email>)`. */
    list(query: { q?: string; active?: boolean; limit: number; offset: number }): AdminSession[] {
      return list
        .all({
          q: query.q ? `%${escapeLike(query.q)}%` : null,
          active: query.active === undefined ? null : query.active ? 1 : 0,
          limit: query.limit,
          offset: query.offset,
        })
        .map((s) => ({ ...s, userName: `${s.osUser} (${s.email})` }));
    },
  };
}

import type { Role } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { hashToken, newToken } from '../crypto/tokens.js';

export interface AdminIdentity {
  login: string;
  role: Role;
  csrfToken: string;
  tokenHash: Buffer;
}

export type AdminSessions = ReturnType<typeof createAdminSessions>;

/**
 * Signed-in Management Tool users: a random token (stored hashed) with an idle timeout, and a
 * maximum age from sign-in that no amount of use extends (a polled page would otherwise keep one forever).
 */
export function createAdminSessions(db: Db, clock: Clock, idleTimeoutMs: number, maxSessionMs: number) {
  const insert = db.prepare('INSERT INTO admin_sessions (token_hash, login, csrf_token, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)');
  const select = db.prepare<[Buffer], { login: string; role: Role; csrfToken: string; createdAt: number; lastUsedAt: number }>(
    `SELECT s.login, u.role, s.csrf_token AS csrfToken, s.created_at AS createdAt, s.last_used_at AS lastUsedAt
       FROM admin_sessions s JOIN users u ON u.login = s.login
      WHERE s.token_hash = ?`,
  );
  const touch = db.prepare<[number, Buffer]>('UPDATE admin_sessions SET last_used_at = ? WHERE token_hash = ?');
  const remove = db.prepare<[Buffer]>('DELETE FROM admin_sessions WHERE token_hash = ?');
  const removeEnded = db.prepare<[number, number]>('DELETE FROM admin_sessions WHERE last_used_at < ? OR created_at <= ?');

  // Refreshing "last used" is a durable write (an fsync); once per 1/20 of the idle timeout (at most a
  // minute) is enough, and a session then ends at most that much before the full idle time.
  const touchEveryMs = Math.min(60_000, Math.floor(idleTimeoutMs / 20));

  return {
    idleTimeoutMs,
    maxSessionMs,
    create(login: string): { token: string; csrfToken: string } {
      const token = newToken();
      const csrfToken = newToken();
      const now = clock.now();
      removeEnded.run(now - idleTimeoutMs, now - maxSessionMs);
      insert.run(hashToken(token), login, csrfToken, now, now);
      return { token, csrfToken };
    },
    /** The session for a token, refreshed; undefined when unknown, idle too long or past its maximum age. */
    resolve(token: string): AdminIdentity | undefined {
      const tokenHash = hashToken(token);
      const row = select.get(tokenHash);
      if (!row) return undefined;
      const now = clock.now();
      if (now - row.lastUsedAt > idleTimeoutMs || now - row.createdAt >= maxSessionMs) {
        remove.run(tokenHash);
        return undefined;
      }
      if (now - row.lastUsedAt >= touchEveryMs) touch.run(now, tokenHash);
      return { login: row.login, role: row.role, csrfToken: row.csrfToken, tokenHash };
    },
    end(tokenHash: Buffer): void {
      remove.run(tokenHash);
    },
  };
}

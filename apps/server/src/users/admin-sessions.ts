import type { Role } from '@latchkey/contracts';
import type { Clock } from '../clock.js';
import { get, run, sql, type Work } from '../db/engine.js';
import { hashToken, newToken } from '../crypto/tokens.js';

export interface AdminIdentity {
  login: string;
  role: Role;
  csrfToken: string;
  tokenHash: Buffer;
}

export type AdminSessionStore = ReturnType<typeof adminSessionStore>;

const insert = sql<[Buffer, string, string, number, number]>(
  'INSERT INTO admin_sessions (token_hash, login, csrf_token, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)',
);
const select = sql<[Buffer], { login: string; role: Role; csrfToken: string; createdAt: number; lastUsedAt: number }>(
  `SELECT s.login, u.role, s.csrf_token AS "csrfToken", s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt"
     FROM admin_sessions s JOIN users u ON u.login = s.login
    WHERE s.token_hash = ?`,
);
const touch = sql<[number, Buffer]>('UPDATE admin_sessions SET last_used_at = ? WHERE token_hash = ?');
const remove = sql<[Buffer]>('DELETE FROM admin_sessions WHERE token_hash = ?');
const removeEnded = sql<[number, number]>('DELETE FROM admin_sessions WHERE last_used_at < ? OR created_at <= ?');
const removeOfLogin = sql<[string]>('DELETE FROM admin_sessions WHERE login = ?');

/**
 * The one writer of `admin_sessions`: signed-in Management Tool users, a random token (stored hashed)
 * with an idle timeout, and a maximum age from sign-in that no amount of use extends (a polled page
 * would otherwise keep one forever). In the database, so a session signed in on one node works on all.
 */
export function adminSessionStore(clock: Clock, idleTimeoutMs: number, maxSessionMs: number) {
  // Refreshing "last used" is a durable write (an fsync); once per 1/20 of the idle timeout (at most a
  // minute) is enough, and a session then ends at most that much before the full idle time.
  const touchEveryMs = Math.min(60_000, Math.floor(idleTimeoutMs / 20));

  return {
    idleTimeoutMs,
    maxSessionMs,
    *create(login: string): Work<{ token: string; csrfToken: string }> {
      const token = newToken();
      const csrfToken = newToken();
      const now = clock.now();
      yield* run(removeEnded, now - idleTimeoutMs, now - maxSessionMs);
      yield* run(insert, hashToken(token), login, csrfToken, now, now);
      return { token, csrfToken };
    },
    /**
     * The session for a token; undefined when unknown, idle too long or past its maximum age. A read:
     * `refresh` is the write it asks for, when "last used" is due or the session is over.
     */
    *resolve(token: string): Work<{ identity: AdminIdentity | undefined; refresh: 'touch' | 'remove' | undefined; tokenHash: Buffer }> {
      const tokenHash = hashToken(token);
      const row = yield* get(select, tokenHash);
      if (!row) return { identity: undefined, refresh: undefined, tokenHash };
      const now = clock.now();
      if (now - row.lastUsedAt > idleTimeoutMs || now - row.createdAt >= maxSessionMs)
        return { identity: undefined, refresh: 'remove', tokenHash };
      const identity = { login: row.login, role: row.role, csrfToken: row.csrfToken, tokenHash };
      return { identity, refresh: now - row.lastUsedAt >= touchEveryMs ? 'touch' : undefined, tokenHash };
    },
    *refresh(tokenHash: Buffer, what: 'touch' | 'remove'): Work<void> {
      if (what === 'touch') yield* run(touch, clock.now(), tokenHash);
      else yield* run(remove, tokenHash);
    },
    *end(tokenHash: Buffer): Work<void> {
      yield* run(remove, tokenHash);
    },
    /** Every session of a login ends (its password or role changed). */
    *endAllOf(login: string): Work<void> {
      yield* run(removeOfLogin, login);
    },
  };
}

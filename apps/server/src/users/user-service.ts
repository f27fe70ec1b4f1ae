import type { InternalUser, Role } from '@latchkey/contracts';
import type { Clock } from '../clock.js';
import { all, get, run, sql, type Engine, type Work } from '../db/engine.js';
import type { AuditEntry, AuditStore } from '../audit/audit-log.js';
import { DUMMY_PASSWORD_HASH, type Passwords } from '../crypto/password.js';
import type { AdminSessionStore } from './admin-sessions.js';
import { loginThrottleStore, type LoginSource } from './login-throttle.js';
import type { Refusal } from '../refusal.js';
import { isLinkedAccount } from './windows-accounts.js';

export interface AuthenticatedUser {
  login: string;
  email: string;
  role: Role;
  windowsAccounts: string[];
}

type UserRow = Omit<InternalUser, 'windowsAccounts'> & { windowsAccounts: string };

const insert = sql<[string, string, Role, string, number, string]>(
  'INSERT INTO users (login, email, role, password_hash, created_at, windows_accounts) VALUES (?, ?, ?, ?, ?, ?)',
);
const byLogin = sql<[string], UserRow & { passwordHash: string }>(
  `SELECT login, email, role, created_at AS "createdAt", windows_accounts AS "windowsAccounts", password_hash AS "passwordHash"
     FROM users WHERE login = ?`,
);
const listAll = sql<[], UserRow>({
  sqlite: 'SELECT login, email, role, created_at AS createdAt, windows_accounts AS windowsAccounts FROM users ORDER BY login',
  postgres:
    'SELECT login, email, role, created_at AS "createdAt", windows_accounts AS "windowsAccounts" FROM users ORDER BY lower(login::text)',
});
const countAdmins = sql<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'");
const staffEmails = sql<[], { email: string }>({
  sqlite: "SELECT email FROM users WHERE role IN ('admin', 'helpdesk') ORDER BY login",
  postgres: "SELECT email FROM users WHERE role IN ('admin', 'helpdesk') ORDER BY lower(login::text)",
});
const remove = sql<[string]>('DELETE FROM users WHERE login = ?');
const setPassword = sql<[string, string]>('UPDATE users SET password_hash = ? WHERE login = ?');
const setEmail = sql<[string, string]>('UPDATE users SET email = ? WHERE login = ?');
const setRole = sql<[string, string]>('UPDATE users SET role = ? WHERE login = ?');
const setWindowsAccounts = sql<[string, string]>('UPDATE users SET windows_accounts = ? WHERE login = ?');

const publicUser = ({ login, email, role, createdAt, windowsAccounts }: UserRow): InternalUser => ({
  login,
  email,
  role,
  createdAt,
  windowsAccounts: JSON.parse(windowsAccounts) as string[],
});

/** The one writer of `users`. */
export function userStore(clock: Clock) {
  return {
    *list(): Work<InternalUser[]> {
      return (yield* all(listAll)).map(publicUser);
    },
    *byLogin(login: string): Work<(UserRow & { passwordHash: string }) | undefined> {
      return yield* get(byLogin, login);
    },
    *countAdmins(): Work<number> {
      return (yield* get(countAdmins))!.n;
    },
    *staffEmails(): Work<string[]> {
      return (yield* all(staffEmails)).map((r) => r.email);
    },
    *insert(user: { login: string; email: string; role: Role; passwordHash: string; windowsAccounts: string[] }): Work<void> {
      yield* run(insert, user.login, user.email, user.role, user.passwordHash, clock.now(), JSON.stringify(user.windowsAccounts));
    },
    *change(login: string, change: { passwordHash?: string; email?: string; role?: Role; windowsAccounts?: string[] }): Work<void> {
      if (change.passwordHash !== undefined) yield* run(setPassword, change.passwordHash, login);
      if (change.email !== undefined) yield* run(setEmail, change.email, login);
      if (change.windowsAccounts !== undefined) yield* run(setWindowsAccounts, JSON.stringify(change.windowsAccounts), login);
      if (change.role !== undefined) yield* run(setRole, change.role, login);
    },
    *remove(login: string): Work<void> {
      yield* run(remove, login);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;

const NO_USER = { refused: 'not_found', what: 'user' } as const satisfies Refusal;

/**
 * Internal users: the Management Tool's staff and the `internal` request method's users. Each change
 * is audited in its transaction. Passwords are hashed (scrypt) before any transaction starts.
 */
export function createUserService(deps: {
  engine: Engine;
  clock: Clock;
  audit: AuditStore;
  adminSessions: AdminSessionStore;
  passwords: Passwords;
}) {
  const { engine, audit, adminSessions, passwords } = deps;
  const users = userStore(deps.clock);
  const throttle = loginThrottleStore(deps.clock);

  return {
    /** For the services that compose users into their own work (staff notices). */
    store: users,
    list: (): Promise<InternalUser[]> => engine.read(() => users.list()),
    get: (login: string): Promise<InternalUser | undefined> =>
      engine.read(function* () {
        const row = yield* users.byLogin(login);
        return row && publicUser(row);
      }),
    /** Emails of the internal users this Windows account is linked to (see windows-accounts.ts). */
    linkedEmails: async (osUser: string): Promise<string[]> =>
      (await engine.read(() => users.list())).filter((user) => isLinkedAccount(osUser, user)).map((user) => user.email),
    hasAdmin: async (): Promise<boolean> => (await engine.read(() => users.countAdmins())) > 0,

    async create(
      user: { login: string; password: string; email: string; role: Role; windowsAccounts?: string[] },
      audited: Omit<AuditEntry, 'type' | 'email'>,
    ): Promise<InternalUser | Refusal> {
      const passwordHash = await passwords.hash(user.password);
      return engine.write(function* (): Work<InternalUser | Refusal> {
        if (yield* users.byLogin(user.login)) return { refused: 'user_exists' };
        yield* users.insert({ ...user, passwordHash, windowsAccounts: user.windowsAccounts ?? [] });
        const created = publicUser((yield* users.byLogin(user.login))!);
        yield* audit.record({ type: 'user.created', email: created.email, detail: `${created.login} as ${created.role}`, ...audited });
        return created;
      });
    },

    async update(
      login: string,
      change: { password?: string; email?: string; role?: Role; windowsAccounts?: string[] },
      actor: string,
    ): Promise<InternalUser | Refusal> {
      const passwordHash = change.password === undefined ? undefined : await passwords.hash(change.password);
      return engine.write(function* (): Work<InternalUser | Refusal> {
        const existing = yield* users.byLogin(login);
        if (!existing) return NO_USER;
        if (change.role !== undefined && existing.role === 'admin' && change.role !== 'admin' && (yield* users.countAdmins()) <= 1) {
          return { refused: 'last_admin', change: 'role' };
        }
        const { password: _password, ...rest } = change;
        yield* users.change(existing.login, { ...rest, ...(passwordHash === undefined ? {} : { passwordHash }) });
        // A new password or role signs the user out everywhere.
        if (passwordHash !== undefined || change.role !== undefined) yield* adminSessions.endAllOf(existing.login);
        const updated = publicUser((yield* users.byLogin(existing.login))!);
        yield* audit.record({
          type: 'user.changed',
          actor,
          email: updated.email,
          detail: `${updated.login}: ${Object.keys(change).join(', ')}`,
        });
        return updated;
      });
    },

    delete: (login: string, actor: string): Promise<Refusal | undefined> =>
      engine.write(function* (): Work<Refusal | undefined> {
        const existing = yield* users.byLogin(login);
        if (!existing) return NO_USER;
        if (existing.role === 'admin' && (yield* users.countAdmins()) <= 1) return { refused: 'last_admin', change: 'delete' };
        yield* users.remove(existing.login);
        yield* audit.record({ type: 'user.deleted', actor, detail: login });
        return undefined;
      }),

    /** A Management Tool session for a signed-in staff member, audited with it. */
    openConsoleSession: (login: string, from: string): Promise<{ token: string; csrfToken: string }> =>
      engine.write(function* () {
        const session = yield* adminSessions.create(login);
        yield* audit.record({ type: 'admin.login', actor: login, detail: `from ${from}` });
        return session;
      }),
    closeConsoleSession: (admin: { login: string; tokenHash: Buffer }): Promise<void> =>
      engine.write(function* () {
        yield* adminSessions.end(admin.tokenHash);
        yield* audit.record({ type: 'admin.logout', actor: admin.login });
      }),

    /**
     * Checks a login and password: the user, or the refusal (invalid_credentials, or login_locked with
     * the seconds to wait). Unknown logins cost the same scrypt work as wrong passwords and get the same
     * refusal; failures count toward a lockout of this login from this source only (the Management Tool
     * sign-in from one address, or the internal method from one Client), kept in the database so every
     * node counts them. `audited(outcome)` is the audit event written with the outcome, in its transaction.
     */
    async authenticate(
      login: string,
      password: string,
      source: LoginSource,
      audited: (outcome: AuthenticatedUser | Refusal) => AuditEntry | undefined = () => undefined,
    ): Promise<AuthenticatedUser | Refusal> {
      const found = await engine.read(function* () {
        const lockedFor = yield* throttle.lockedForSeconds(login, source);
        return lockedFor > 0 ? lockedFor : yield* users.byLogin(login);
      });
      if (typeof found === 'number') {
        const locked: Refusal = { refused: 'login_locked', retryAfterSeconds: found };
        const entry = audited(locked);
        if (entry) await engine.write(() => audit.record(entry));
        return locked;
      }
      const ok = await passwords.verify(password, found?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!found || !ok) {
        const wrong: Refusal = { refused: 'invalid_credentials' };
        const entry = audited(wrong);
        await engine.write(function* () {
          yield* throttle.recordFailure(login, source);
          if (entry) yield* audit.record(entry);
        });
        return wrong;
      }
      const { login: name, email, role, windowsAccounts } = publicUser(found);
      const user = { login: name, email, role, windowsAccounts };
      const entry = audited(user);
      await engine.write(function* () {
        yield* throttle.recordSuccess(login, source);
        if (entry) yield* audit.record(entry);
      });
      return user;
    },
  };
}

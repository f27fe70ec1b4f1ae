import type { InternalUser, Role } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { AppError } from '../app-error.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../crypto/password.js';
import type { LoginSource, LoginThrottle } from './login-throttle.js';
import { isLinkedAccount } from './windows-accounts.js';

export interface AuthenticatedUser {
  login: string;
  email: string;
  role: Role;
  windowsAccounts: string[];
}

type UserRow = Omit<InternalUser, 'windowsAccounts'> & { windowsAccounts: string };

export type UserService = ReturnType<typeof createUserService>;

export function createUserService(db: Db, clock: Clock, throttle: LoginThrottle) {
  const insert = db.prepare(
    'INSERT INTO users (login, email, role, password_hash, created_at, windows_accounts) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byLogin = db.prepare<[string], UserRow & { passwordHash: string }>(
    `SELECT login, email, role, created_at AS createdAt, windows_accounts AS windowsAccounts, password_hash AS passwordHash
       FROM users WHERE login = ?`,
  );
  const listAll = db.prepare<[], UserRow>(
    'SELECT login, email, role, created_at AS createdAt, windows_accounts AS windowsAccounts FROM users ORDER BY login',
  );
  const countAdmins = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'");
  const staffEmails = db.prepare<[], { email: string }>("SELECT email FROM users WHERE role IN ('admin', 'helpdesk') ORDER BY login");
  const remove = db.prepare<[string]>('DELETE FROM users WHERE login = ?');
  const setPassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE login = ?');
  const setEmail = db.prepare<[string, string]>('UPDATE users SET email = ? WHERE login = ?');
  const setRole = db.prepare<[string, string]>('UPDATE users SET role = ? WHERE login = ?');
  const setWindowsAccounts = db.prepare<[string, string]>('UPDATE users SET windows_accounts = ? WHERE login = ?');
  const endSessions = db.prepare<[string]>('DELETE FROM admin_sessions WHERE login = ?');

  const publicUser = ({ login, email, role, createdAt, windowsAccounts }: UserRow): InternalUser => ({
    login,
    email,
    role,
    createdAt,
    windowsAccounts: JSON.parse(windowsAccounts) as string[],
  });

  return {
    list: () => listAll.all().map(publicUser),
    get(login: string): InternalUser | undefined {
      const row = byLogin.get(login);
      return row && publicUser(row);
    },
    /** Emails of the internal users this Windows account is linked to (see windows-accounts.ts). */
    linkedEmails: (osUser: string): string[] =>
      listAll
        .all()
        .map(publicUser)
        .filter((user) => isLinkedAccount(osUser, user))
        .map((user) => user.email),
    hasAdmin: () => countAdmins.get()!.n > 0,
    staffEmails: () => staffEmails.all().map((r) => r.email),

    async create(user: { login: string; password: string; email: string; role: Role; windowsAccounts?: string[] }): Promise<InternalUser> {
      const passwordHash = await hashPassword(user.password);
      if (byLogin.get(user.login)) throw new AppError(409, 'user_exists', 'A user with this login name already exists.');
      insert.run(user.login, user.email, user.role, passwordHash, clock.now(), JSON.stringify(user.windowsAccounts ?? []));
      return publicUser(byLogin.get(user.login)!);
    },

    async update(
      login: string,
      change: { password?: string; email?: string; role?: Role; windowsAccounts?: string[] },
    ): Promise<InternalUser> {
      const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
      return db
        .transaction(() => {
          const existing = byLogin.get(login);
          if (!existing) throw new AppError(404, 'not_found', 'No such user.');
          if (change.role !== undefined && existing.role === 'admin' && change.role !== 'admin' && countAdmins.get()!.n <= 1) {
            throw new AppError(409, 'last_admin', 'The last admin cannot lose the admin role.');
          }
          if (passwordHash !== undefined) {
            setPassword.run(passwordHash, existing.login);
            endSessions.run(existing.login);
          }
          if (change.email !== undefined) setEmail.run(change.email, existing.login);
          if (change.windowsAccounts !== undefined) setWindowsAccounts.run(JSON.stringify(change.windowsAccounts), existing.login);
          if (change.role !== undefined) {
            setRole.run(change.role, existing.login);
            endSessions.run(existing.login);
          }
          return publicUser(byLogin.get(existing.login)!);
        })
        .immediate();
    },

    delete(login: string): void {
      db.transaction(() => {
        const existing = byLogin.get(login);
        if (!existing) throw new AppError(404, 'not_found', 'No such user.');
        if (existing.role === 'admin' && countAdmins.get()!.n <= 1) {
          throw new AppError(409, 'last_admin', 'The last admin cannot be deleted.');
        }
        remove.run(existing.login);
      }).immediate();
    },

    /**
     * Checks a login and password. Unknown logins cost the same scrypt work as wrong passwords and get
     * the same answer; failures count toward a lockout of this login from this source only (the
     * Management Tool sign-in from one address, or the internal method from one Client), kept in the database.
     */
    async authenticate(login: string, password: string, source: LoginSource): Promise<AuthenticatedUser> {
      const lockedFor = throttle.lockedForSeconds(login, source);
      if (lockedFor > 0) {
        throw new AppError(429, 'login_locked', 'Too many failed sign-ins. Try again later.', lockedFor);
      }
      const row = byLogin.get(login);
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!row || !ok) {
        throttle.recordFailure(login, source);
        throw new AppError(401, 'invalid_credentials', 'The login name or password is not correct.');
      }
      throttle.recordSuccess(login, source);
      const { login: found, email, role, windowsAccounts } = publicUser(row);
      return { login: found, email, role, windowsAccounts };
    },
  };
}

import fp from 'fastify-plugin';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { READ_COMMITTED } from '../db/engine.js';
import { createPasswords } from '../crypto/password.js';
import { createUserService } from '../users/user-service.js';
import { adminSessionStore, type AdminIdentity } from '../users/admin-sessions.js';

export interface UsersOptions {
  /** Prints first-start secrets for the operator (never through the logger). */
  announce: (line: string) => void;
}

/** Internal users, Management Tool sessions, and the first admin of a new database. */
async function users(app: FastifyInstance, { announce }: UsersOptions) {
  const { config, clock, engine } = app;
  const adminSessions = adminSessionStore(clock, config.adminIdleSeconds * 1000, config.adminMaxSessionSeconds * 1000);
  const service = createUserService({ engine, clock, audit: app.stores.audit, adminSessions, passwords: createPasswords(app.threadPool) });

  if (!(await service.hasAdmin())) {
    const password = config.adminPassword ?? randomBytes(15).toString('base64url');
    const made = await service.create(
      { login: 'admin', password, email: config.adminEmail, role: 'admin' },
      { actor: 'system', detail: 'first start: admin' },
    );
    // Refused (user_exists): another node starting on the same new database made it first, with its password.
    if (!('refused' in made) && !config.adminPassword) {
      announce(`Management Tool sign-in: login "admin", password "${password}" (change it in Users)`);
    }
  }

  app.decorate('users', service);
  app.decorate('adminSessions', {
    idleTimeoutMs: adminSessions.idleTimeoutMs,
    /** The session for a token, refreshed; undefined when unknown, idle too long or past its maximum age. */
    async resolve(token: string): Promise<AdminIdentity | undefined> {
      const { identity, refresh, tokenHash } = await engine.read(() => adminSessions.resolve(token));
      if (refresh) await engine.write(() => adminSessions.refresh(tokenHash, refresh), READ_COMMITTED);
      return identity;
    },
  });
}

export default fp(users, { name: 'users', dependencies: ['stores'] });

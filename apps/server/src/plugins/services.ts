import fp from 'fastify-plugin';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bind } from '../db/bind.js';
import { READ_COMMITTED } from '../db/engine.js';
import { hashToken } from '../crypto/tokens.js';
import { createSettings } from '../settings/settings-store.js';
import { auditStore } from '../audit/audit-log.js';
import { clientStore } from '../clients/client-store.js';
import { createClientService } from '../clients/client-service.js';
import { requestStore } from '../otp/request-store.js';
import { createUserService } from '../users/user-service.js';
import { adminSessionStore, type AdminIdentity } from '../users/admin-sessions.js';
import { REQUEST_CHANNEL, createOtpService } from '../otp/otp-service.js';
import { lockoutStore } from '../otp/lockout-store.js';
import { createRequestWatch } from '../otp/request-watch.js';
import { sessionStore } from '../sessions/session-store.js';
import { createSessionService } from '../sessions/session-service.js';
import { createOfflineUnlocks } from '../offline/offline-unlocks.js';
import { activityStore } from '../activity/activity-store.js';
import { createMailQueue } from '../mail/mail-queue.js';
import { createOutboxTransport, createSmtpTransport } from '../mail/mail-transport.js';

export interface ServicesOptions {
  /** Prints first-start secrets for the operator (never through the logger). */
  announce: (line: string) => void;
}

/**
 * The stores, each the one writer of its tables, and the services that compose them, one write per
 * action with its audit, on the storage plugin's engine.
 */
async function services(app: FastifyInstance, { announce }: ServicesOptions) {
  const { config, clock, engine, keys } = app;
  // The stores, each the one writer of its tables; the services compose them, one write per action.
  const audit = auditStore(clock);
  const settings = await createSettings(engine, audit);
  const clients = clientStore(clock);
  const sessions = sessionStore(clock);
  const requests = requestStore(clock, settings);
  const lockouts = lockoutStore(clock);
  const activity = activityStore(clock);
  const adminSessions = adminSessionStore(clock, config.adminIdleSeconds * 1000, config.adminMaxSessionSeconds * 1000);
  const users = createUserService({ engine, clock, audit, adminSessions });
  const transport = config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.mailFrom, { ca: config.smtpCa })
    : createOutboxTransport(join(config.dataDir, 'outbox'), config.mailFrom, app.log);
  const mail = createMailQueue({ engine, clock, sealKey: keys.seal, transport, logger: app.log });
  const otp = createOtpService({
    engine,
    clock,
    keys,
    settings,
    audit,
    requests,
    mail,
    clients,
    sessions,
    lockouts,
    staffEmails: () => users.store.staffEmails(),
    consoleUrl: `${config.publicUrl}/console/`,
    timeZone: config.timeZone,
  });
  const offlineUnlocks = createOfflineUnlocks({ engine, clock, sealKey: keys.seal, audit, settings, clients, sessions });

  if (!(await users.hasAdmin())) {
    const password = config.adminPassword ?? randomBytes(15).toString('base64url');
    try {
      await users.create(
        { login: 'admin', password, email: config.adminEmail, role: 'admin' },
        { actor: 'system', detail: 'first start: admin' },
      );
      if (!config.adminPassword) announce(`Management Tool sign-in: login "admin", password "${password}" (change it in Users)`);
    } catch (err) {
      // Another node starting on the same new database made it first.
      if (!(err instanceof Error && 'code' in err && err.code === 'user_exists')) throw err;
    }
  }

  // Held status long-polls on this node hear a decision made on any node.
  const requestWatch = createRequestWatch();
  const listening = await engine.listen(
    REQUEST_CHANNEL,
    (requestId) => requestWatch.notify(requestId),
    // Back after a lost connection: what was decided meanwhile was not heard, so every waiter looks again.
    () => requestWatch.wakeAll(),
  );

  app.decorate('stores', { audit, clients, sessions, requests, lockouts, activity, settings });
  app.decorate('settings', settings);
  app.decorate('audit', bind(engine, audit, ['list']));
  app.decorate('clients', createClientService({ engine, clients, requests, sessions, audit, settings, offlineUnlocks }));
  app.decorate('users', users);
  app.decorate('adminSessions', {
    idleTimeoutMs: adminSessions.idleTimeoutMs,
    /** The session for a token, refreshed; undefined when unknown, idle too long or past its maximum age. */
    async resolve(token: string): Promise<AdminIdentity | undefined> {
      const { identity, refresh } = await engine.read(() => adminSessions.resolve(token));
      if (refresh) await engine.write(() => adminSessions.refresh(hashToken(token), refresh), READ_COMMITTED);
      return identity;
    },
  });
  app.decorate('otp', otp);
  app.decorate('sessions', createSessionService({ engine, sessions, activity, audit }));
  app.decorate('mail', mail);
  app.decorate('offlineUnlocks', offlineUnlocks);
  app.decorate('requestWatch', requestWatch);
  // Held status long-polls answer at once, so closing never waits for them.
  app.addHook('preClose', async () => requestWatch.close());

  app.addHook('onReady', async () => {
    audit.started();
    // One SQLite server owns its queue; nodes on PostgreSQL leave each other's leases alone.
    await mail.start(engine.kind === 'sqlite');
  });
  app.addHook('onClose', async () => {
    await mail.stop();
    await listening.unlisten().catch(() => {});
    await settings.close().catch(() => {});
  });
}

export default fp(services, { name: 'services', dependencies: ['storage'] });

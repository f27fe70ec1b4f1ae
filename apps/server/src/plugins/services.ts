import fp from 'fastify-plugin';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import { openDatabase, type Db } from '../db/database.js';
import { claimDataDir } from '../db/data-dir-lock.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';
import type { Engine } from '../db/engine.js';
import { bind } from '../db/bind.js';
import { createSqliteEngine } from '../db/sqlite-engine.js';
import { createPostgresEngine } from '../db/postgres/engine.js';
import { migratePostgres } from '../db/postgres/migrate.js';
import { ConfigError } from '../config-error.js';
import { SECRET_KEY_FILE, deriveKeys, loadOrCreateSecret, writeNewFileDurably } from '../crypto/secret-key.js';
import { checkKeyFingerprints } from '../crypto/key-fingerprints.js';
import { loadSigningKey } from '../crypto/signing-key.js';
import { hashToken } from '../crypto/tokens.js';
import { threadPool } from '../crypto/thread-pool.js';
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
  config: Config;
  clock: Clock;
  /** Prints first-start secrets for the operator (never through the logger). */
  announce: (line: string) => void;
}

/** Reads `<dataDir>/enrollment.key`, or creates it when LATCHKEY_ENROLLMENT_KEY is not set. */
function loadEnrollmentKey(config: Config, announce: (line: string) => void): string {
  if (config.enrollmentKey) return config.enrollmentKey;
  const file = join(config.dataDir, 'enrollment.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(24).toString('base64url');
  writeNewFileDurably(file, `${key}\n`, 0o600);
  announce(`Enrollment key for Clients (also in ${file}): ${key}`);
  return key;
}

/** The storage engine: SQLite in the data dir (the embedded default), or the shared PostgreSQL database. */
async function openEngine(config: Config): Promise<{ engine: Engine; db?: Db; writes?: GroupCommit }> {
  if (config.database) {
    // Every node must accept the same Clients: a key made up by each node's first start would differ.
    if (!config.enrollmentKey) {
      throw new ConfigError(
        'LATCHKEY_ENROLLMENT_KEY',
        'must be set on PostgreSQL (or LATCHKEY_ENROLLMENT_KEY_FILE), the same on every node, so every node accepts the same Clients',
      );
    }
    const engine = createPostgresEngine(config.database.url, { nodeName: config.nodeName, maxConnections: config.databasePoolSize });
    try {
      await migratePostgres(engine.sql);
    } catch (err) {
      await engine.close();
      throw err;
    }
    return { engine };
  }
  const db = openDatabase(join(config.dataDir, 'latchkey.db'));
  const writes = createGroupCommit(db);
  return { engine: createSqliteEngine(db, writes), db, writes };
}

async function services(app: FastifyInstance, { config, clock, announce }: ServicesOptions) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const releaseDataDir = claimDataDir(config.dataDir);
  const secret = config.secret ?? loadOrCreateSecret(config.dataDir);
  const keys = deriveKeys(secret);
  const { source: signingKeySource, ...signingKey } = loadSigningKey(config.dataDir, config.signingKey);
  threadPool.resize(config.threadPoolSize);
  let opened: Awaited<ReturnType<typeof openEngine>>;
  try {
    opened = await openEngine(config);
  } catch (err) {
    releaseDataDir();
    throw err;
  }
  const { engine, db, writes } = opened;
  const closeStorage = async () => {
    await engine.close();
    db?.close();
    releaseDataDir();
  };
  try {
    await engine.write(() =>
      checkKeyFingerprints(clock.now(), {
        secret: {
          key: secret,
          source: config.secret ? 'LATCHKEY_SECRET (or LATCHKEY_SECRET_FILE)' : join(config.dataDir, SECRET_KEY_FILE),
        },
        signing: { fingerprint: signingKey.fingerprint, source: signingKeySource },
      }),
    );
  } catch (err) {
    await closeStorage();
    throw err;
  }

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

  app.decorate('config', config);
  app.decorate('clock', clock);
  app.decorate('engine', engine);
  app.decorate('db', db);
  app.decorate('writes', writes);
  app.decorate('stores', { audit, clients, sessions, requests, lockouts, activity, settings });
  app.decorate('enrollmentKey', loadEnrollmentKey(config, announce));
  app.decorate('settings', settings);
  app.decorate('audit', bind(engine, audit, ['list']));
  app.decorate('clients', createClientService({ engine, clients, requests, sessions, audit, settings, offlineUnlocks }));
  app.decorate('users', users);
  app.decorate('adminSessions', {
    idleTimeoutMs: adminSessions.idleTimeoutMs,
    /** The session for a token, refreshed; undefined when unknown, idle too long or past its maximum age. */
    async resolve(token: string): Promise<AdminIdentity | undefined> {
      const { identity, refresh } = await engine.read(() => adminSessions.resolve(token));
      if (refresh) await engine.write(() => adminSessions.refresh(hashToken(token), refresh));
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
  app.decorate('signingKey', signingKey);

  app.addHook('onReady', async () => {
    audit.started();
    // One SQLite server owns its queue; nodes on PostgreSQL leave each other's leases alone.
    await mail.start(engine.kind === 'sqlite');
  });
  app.addHook('onClose', async () => {
    await mail.stop();
    await listening.unlisten().catch(() => {});
    await settings.close().catch(() => {});
    await closeStorage();
  });
}

export default fp(services, { name: 'services' });

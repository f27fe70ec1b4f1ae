import fp from 'fastify-plugin';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import { openDatabase } from '../db/database.js';
import { claimDataDir } from '../db/data-dir-lock.js';
import { createGroupCommit } from '../db/group-commit.js';
import { SECRET_KEY_FILE, deriveKeys, loadOrCreateSecret, writeNewFileDurably } from '../crypto/secret-key.js';
import { checkKeyFingerprints } from '../crypto/key-fingerprints.js';
import { loadSigningKey } from '../crypto/signing-key.js';
import { threadPool } from '../crypto/thread-pool.js';
import { createSettingsStore } from '../settings/settings-store.js';
import { createAuditLog } from '../audit/audit-log.js';
import { createClientStore } from '../clients/client-store.js';
import { createClientRemoval } from '../clients/client-removal.js';
import { createUserTokens } from '../clients/user-tokens.js';
import { createRequestStore } from '../otp/request-store.js';
import { createLoginThrottle } from '../users/login-throttle.js';
import { createUserService } from '../users/user-service.js';
import { createAdminSessions } from '../users/admin-sessions.js';
import { createOtpService } from '../otp/otp-service.js';
import { createLockoutStore } from '../otp/lockout-store.js';
import { createRequestWatch } from '../otp/request-watch.js';
import { createSessionStore } from '../sessions/session-store.js';
import { createSessionRelock } from '../sessions/session-relock.js';
import { createOfflineUnlocks } from '../offline/offline-unlocks.js';
import { createActivityStore } from '../activity/activity-store.js';
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

async function services(app: FastifyInstance, { config, clock, announce }: ServicesOptions) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const releaseDataDir = claimDataDir(config.dataDir);
  const secret = config.secret ?? loadOrCreateSecret(config.dataDir);
  const keys = deriveKeys(secret);
  const { source: signingKeySource, ...signingKey } = loadSigningKey(config.dataDir, config.signingKey);
  threadPool.resize(config.threadPoolSize);
  const db = openDatabase(join(config.dataDir, 'latchkey.db'));
  try {
    checkKeyFingerprints(db, clock.now(), {
      secret: { key: secret, source: config.secret ? 'LATCHKEY_SECRET (or LATCHKEY_SECRET_FILE)' : join(config.dataDir, SECRET_KEY_FILE) },
      signing: { fingerprint: signingKey.fingerprint, source: signingKeySource },
    });
  } catch (err) {
    db.close();
    releaseDataDir();
    throw err;
  }

  const settings = createSettingsStore(db);
  const audit = createAuditLog(db, clock);
  const clients = createClientStore(db, clock);
  const users = createUserService(db, clock, createLoginThrottle(db, clock));
  const transport = config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.mailFrom, { ca: config.smtpCa })
    : createOutboxTransport(join(config.dataDir, 'outbox'), config.mailFrom, app.log);
  const writes = createGroupCommit(db);
  const mail = createMailQueue({ db, clock, sealKey: keys.seal, transport, logger: app.log, commit: writes.run });
  const sessions = createSessionStore(db, clock);
  const lockouts = createLockoutStore(db, clock);
  const otp = createOtpService({
    db,
    clock,
    keys,
    settings,
    audit,
    mail,
    clients,
    sessions,
    lockouts,
    staffEmails: users.staffEmails,
    consoleUrl: `${config.publicUrl}/console/`,
    timeZone: config.timeZone,
  });

  if (!users.hasAdmin()) {
    const password = config.adminPassword ?? randomBytes(15).toString('base64url');
    await users.create({ login: 'admin', password, email: config.adminEmail, role: 'admin' });
    audit.record({ type: 'user.created', actor: 'system', detail: 'first start: admin' });
    if (!config.adminPassword) announce(`Management Tool sign-in: login "admin", password "${password}" (change it in Users)`);
  }

  app.decorate('config', config);
  app.decorate('clock', clock);
  app.decorate('db', db);
  app.decorate('writes', writes);
  app.decorate('enrollmentKey', loadEnrollmentKey(config, announce));
  app.decorate('settings', settings);
  app.decorate('audit', audit);
  app.decorate('clients', clients);
  app.decorate('clientRemoval', createClientRemoval({ db, clients, requests: createRequestStore(db, clock, settings), sessions, audit }));
  app.decorate('userTokens', createUserTokens({ db, clients, audit }));
  app.decorate('users', users);
  app.decorate('adminSessions', createAdminSessions(db, clock, config.adminIdleSeconds * 1000, config.adminMaxSessionSeconds * 1000));
  app.decorate('otp', otp);
  app.decorate('sessions', sessions);
  app.decorate('sessionRelock', createSessionRelock({ db, sessions, audit }));
  app.decorate('activity', createActivityStore(db, clock));
  app.decorate('lockouts', lockouts);
  app.decorate('mail', mail);
  app.decorate('offlineUnlocks', createOfflineUnlocks({ db, clock, sealKey: keys.seal, audit, settings }));
  const requestWatch = createRequestWatch();
  app.decorate('requestWatch', requestWatch);
  // Held status long-polls answer at once, so closing never waits for them.
  app.addHook('preClose', async () => requestWatch.wakeAll());
  app.decorate('signingKey', signingKey);

  app.addHook('onReady', async () => mail.start());
  app.addHook('onClose', async () => {
    await mail.stop();
    db.close();
    releaseDataDir();
  });
}

export default fp(services, { name: 'services' });

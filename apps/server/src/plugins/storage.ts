import fp from 'fastify-plugin';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import { ConfigError } from '../config-error.js';
import { openDatabase, type Db } from '../db/database.js';
import { claimDataDir } from '../db/data-dir-lock.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';
import type { Engine } from '../db/engine.js';
import { createSqliteEngine } from '../db/sqlite-engine.js';
import { createPostgresEngine } from '../db/postgres/engine.js';
import { migratePostgres } from '../db/postgres/migrate.js';
import { SECRET_KEY_FILE, deriveKeys, loadOrCreateSecret, writeNewFileDurably } from '../crypto/secret-key.js';
import { checkKeyFingerprints } from '../crypto/key-fingerprints.js';
import { loadSigningKey } from '../crypto/signing-key.js';
import { createThreadPool } from '../crypto/thread-pool.js';

export interface StorageOptions {
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

/**
 * The node's keys and its database: the data dir (claimed, so two servers never share one), the
 * secret and signing keys, the storage engine with its migrations, and the check that the keys are
 * the ones the database was first used with. Every other plugin builds on it.
 */
async function storage(app: FastifyInstance, { config, clock, announce }: StorageOptions) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const releaseDataDir = claimDataDir(config.dataDir);
  const secret = config.secret ?? loadOrCreateSecret(config.dataDir);
  const keys = deriveKeys(secret);
  const threadPool = createThreadPool(config.threadPoolSize);
  const { source: signingKeySource, ...signingKey } = loadSigningKey(config.dataDir, config.signingKey, threadPool);
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

  app.decorate('config', config);
  app.decorate('clock', clock);
  app.decorate('engine', engine);
  app.decorate('db', db);
  app.decorate('writes', writes);
  app.decorate('keys', keys);
  app.decorate('threadPool', threadPool);
  app.decorate('signingKey', signingKey);
  app.decorate('enrollmentKey', loadEnrollmentKey(config, announce));
  // Runs after the onClose hooks of the plugins registered after this one (they still write on close).
  app.addHook('onClose', closeStorage);
}

export default fp(storage, { name: 'storage' });

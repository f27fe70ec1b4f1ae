import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresSkipReason, startPostgres, type PostgresCluster } from '@latchkey/test-support';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { Engine, EngineKind } from '../../src/db/engine.js';
import { createGroupCommit } from '../../src/db/group-commit.js';
import { createPostgresEngine } from '../../src/db/postgres/engine.js';
import { migratePostgres } from '../../src/db/postgres/migrate.js';
import { createSqliteEngine } from '../../src/db/sqlite-engine.js';

export interface EngineCase {
  kind: EngineKind;
  /** Why this engine cannot run here, if it cannot. */
  skip: string | undefined;
}

/** Every engine, for `describe.each(ENGINES)('… on $kind', …)`: one source, both engines. */
export const ENGINES: EngineCase[] = [
  { kind: 'sqlite', skip: undefined },
  { kind: 'postgres', skip: postgresSkipReason() },
];

/** One PostgreSQL cluster per test file, started on first use, with a migrated template database. */
let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;
export function postgresCluster(): Promise<PostgresCluster> {
  cluster ??= (async () => {
    const started = await startPostgres();
    const engine = createPostgresEngine(started.createDatabase('latchkey_template'), { maxConnections: 1 });
    await migratePostgres(engine.sql);
    await engine.close();
    return started;
  })();
  return cluster;
}
afterAll(async () => {
  await (await cluster)?.stop();
  cluster = undefined;
});

/** A fresh, migrated PostgreSQL database on the file's cluster: its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const pg = await postgresCluster();
  const name = `t${process.pid}_${++databases}`;
  pg.psql(`CREATE DATABASE ${name} TEMPLATE latchkey_template`);
  return pg.urlFor(name);
}

export interface EngineFixture {
  /** The engine of this test (a fresh database). */
  engine(): Engine;
  /**
   * Another engine on the same database: on PostgreSQL a second pool, as a second node would
   * have; on SQLite the same engine (one process is the whole deployment).
   */
  another(): Engine;
  /** PostgreSQL: the database's name on the file's cluster (for psql); SQLite: ''. */
  databaseName(): string;
}

/** A fresh migrated database per test on `engineCase`; skips the test with the reason where it cannot run. */
export function useEngine(engineCase: EngineCase): EngineFixture {
  let engines: Engine[] = [];
  let cleanup: (() => void) | undefined;
  let url = '';
  beforeEach(async (ctx) => {
    if (engineCase.skip) {
      ctx.skip(engineCase.skip);
      return;
    }
    if (engineCase.kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'latchkey-engine-'));
      const db = openDatabase(join(dir, 'test.db'));
      engines = [createSqliteEngine(db, createGroupCommit(db))];
      cleanup = () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else {
      url = await freshPostgresDatabase();
      engines = [createPostgresEngine(url, { maxConnections: 10, nodeName: 'node-a' })];
    }
  });
  afterEach(async () => {
    for (const engine of engines) await engine.close();
    engines = [];
    cleanup?.();
    cleanup = undefined;
  });
  return {
    engine: () => engines[0]!,
    another() {
      if (engineCase.kind === 'sqlite') return engines[0]!;
      const engine = createPostgresEngine(url, { maxConnections: 10, nodeName: `node-${engines.length}` });
      engines.push(engine);
      return engine;
    },
    databaseName: () => (url ? decodeURIComponent(new URL(url).pathname.slice(1)) : ''),
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresSkipReason } from '@latchkey/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DatabaseTooNewError, loadMigrations, migrate } from '../../src/db/database.js';
import { createPostgresEngine, type PostgresEngine } from '../../src/db/postgres/engine.js';
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from '../../src/db/postgres/migrate.js';
import { postgresCluster } from '../support/engines.js';

/**
 * SQLite migrations numbered above this have no PostgreSQL twin yet (0120-0150 are being written in
 * SQLite while the server cannot start on PostgreSQL). Raise it with each twin; it goes once the
 * server runs on PostgreSQL, and then every SQLite migration needs its twin.
 */
const TWINNED_UP_TO = 150;

describe('PostgreSQL migrations are the twins of the SQLite ones', () => {
  it('have the same numbers', () => {
    const sqlite = loadMigrations().map((m) => m.version);
    const postgres = loadMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version);
    expect(postgres).toEqual(sqlite.filter((v) => v <= TWINNED_UP_TO));
  });
});

describe.skipIf(postgresSkipReason() !== undefined)('PostgreSQL migrations on a real cluster', () => {
  let engines: PostgresEngine[] = [];
  let databases = 0;
  afterEach(async () => {
    for (const engine of engines) await engine.close();
    engines = [];
  });
  /** An empty database and `n` pools on it, as `n` nodes would have. */
  const nodesOnEmptyDatabase = async (n: number) => {
    const url = (await postgresCluster()).createDatabase(`empty_${++databases}`);
    engines = Array.from({ length: n }, () => createPostgresEngine(url, { maxConnections: 2 }));
    return engines;
  };

  it('run once when two nodes start together: one applies every migration, the other none', async () => {
    const [a, b] = await nodesOnEmptyDatabase(2);
    const results = await Promise.all([migratePostgres(a!.sql), migratePostgres(b!.sql)]);
    const all = loadMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version);
    expect(results.toSorted((x, y) => y.length - x.length)).toEqual([all, []]);
    const versions = await a!.sql<{ version: number }[]>`SELECT version FROM schema_version ORDER BY version`;
    expect(versions.map((r) => r.version)).toEqual(all);
    expect(await migratePostgres(b!.sql)).toEqual([]);
  });

  it('refuses a database newer than this node knows, and changes nothing', async () => {
    const [a] = await nodesOnEmptyDatabase(1);
    await migratePostgres(a!.sql);
    await a!.sql`INSERT INTO schema_version (version) VALUES (9990)`;
    await expect(migratePostgres(a!.sql)).rejects.toThrow(DatabaseTooNewError);
    await expect(migratePostgres(a!.sql)).rejects.toThrow(/schema version 9990, but this server knows only up to 150/);
  });

  it('apply in one transaction: a failing migration leaves nothing behind', async () => {
    const [a] = await nodesOnEmptyDatabase(1);
    await expect(
      migratePostgres(a!.sql, [
        { version: 10, sql: 'CREATE TABLE a (x integer)' },
        { version: 20, sql: 'CREATE TABLE broken (' },
      ]),
    ).rejects.toThrow();
    const [row] = await a!.sql<{ n: number }[]>`SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('a', 'schema_version')`;
    expect(row!.n).toBe(0);
  });

  it('make the same tables, columns and indexes as SQLite, with compatible types', async () => {
    const [a] = await nodesOnEmptyDatabase(1);
    await migratePostgres(a!.sql);
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-twin-'));
    try {
      // SQLite only as far as the twins go, so a new SQLite migration does not fail this before its twin exists.
      const db = new Database(join(dir, 'twin.db'));
      migrate(
        db,
        loadMigrations().filter((m) => m.version <= TWINNED_UP_TO),
      );
      const sqliteColumns = db
        .prepare<[], { tbl: string; name: string; type: string }>(
          `SELECT m.name AS tbl, p.name, p.type FROM sqlite_schema m, pragma_table_info(m.name) p
            WHERE m.type = 'table' ORDER BY 1, 2`,
        )
        .all()
        .map((c) => `${c.tbl}.${c.name} ${c.type}`);
      const sqliteIndexes = db
        .prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
        .all()
        .map((i) => i.name);
      db.close();
      // Every named index has its twin (keys and UNIQUE constraints make their own on both).
      const pgIndexes = await a!.sql<{ name: string }[]>`
        SELECT i.indexname AS name FROM pg_indexes i
         WHERE i.schemaname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
         ORDER BY 1`;
      expect(pgIndexes.map((i) => i.name)).toEqual(sqliteIndexes);
      const pgColumns = (
        await a!.sql<{ tbl: string; name: string; type: string }[]>`
          SELECT table_name AS tbl, column_name AS name, udt_name AS type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name <> 'schema_version' ORDER BY 1, 2`
      ).map(
        (c) => `${c.tbl}.${c.name} ${{ int8: 'INTEGER', int4: 'INTEGER', text: 'TEXT', citext: 'TEXT', bytea: 'BLOB' }[c.type] ?? c.type}`,
      );
      expect(pgColumns).toEqual(sqliteColumns);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('enforce what SQLite enforces: CHECKs, case-insensitive logins, one session per request, JSON accounts', async () => {
    const [a] = await nodesOnEmptyDatabase(1);
    await migratePostgres(a!.sql);
    const sql = a!.sql;
    await sql`INSERT INTO clients (id, computer_name, token_hash, allow_otp, enrolled_at) VALUES ('c1', 'PC-1', '\\x00', 1, 1)`;
    await expect(
      sql`INSERT INTO clients (id, computer_name, token_hash, allow_otp, enrolled_at) VALUES ('c2', 'PC-2', '\\x01', 2, 1)`,
    ).rejects.toThrow(/clients_allow_otp_check/);
    await expect(sql`UPDATE clients SET role = 'root'`).rejects.toThrow(/clients_role_check/);
    await sql`INSERT INTO users (login, email, role, password_hash, created_at) VALUES ('Admin', 'a@example.com', 'admin', 'x', 1)`;
    await expect(
      sql`INSERT INTO users (login, email, role, password_hash, created_at) VALUES ('ADMIN', 'b@example.com', 'admin', 'x', 1)`,
    ).rejects.toThrow(/users_pkey/);
    expect((await sql`SELECT login FROM users WHERE login = ${'admin'}`).map((r) => r.login as string)).toEqual(['Admin']);
    await expect(sql`UPDATE users SET windows_accounts = '[not json'`).rejects.toThrow(/json/);
    const request = (id: string, status: string) =>
      sql`INSERT INTO otp_requests (id, client_id, os_user, email, method, status, created_at, expires_at)
          VALUES (${id}, 'c1', 'CORP\\jdoe', 'j@example.com', 'email', ${status}, 1, 2)`;
    await request('r1', 'used');
    await expect(request('r2', 'stolen')).rejects.toThrow(/otp_requests_status_check/);
    const session = (id: string, requestId: string | null, via: string) =>
      sql`INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
          VALUES (${id}, 'c1', ${requestId}, 'CORP\\jdoe', 'j@example.com', ${via}, 1, 1)`;
    await session('s1', 'r1', 'otp');
    await expect(session('s2', 'r1', 'otp')).rejects.toThrow(/sessions_request_id_key/);
    await session('s3', null, 'offline');
    await expect(session('s4', 'nope', 'otp')).rejects.toThrow(/foreign key/);
  });
});

import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import { DatabaseTooNewError, loadMigrations } from '../database.js';

/** db/migrations/postgres/: the same numbers as the SQLite migrations beside it. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/postgres/', import.meta.url));

/** pg_advisory_xact_lock key of Latchkey's migrations (the bytes of "LATCHKEY" as a bigint). */
const MIGRATION_LOCK = 0x4c4154434b4b4559n;

/**
 * Applies every PostgreSQL migration newer than the database's version, all in one transaction,
 * under a transaction-scoped advisory lock: nodes that start together queue on the lock, the first
 * applies, the others then find the version current and apply nothing. A database newer than the
 * newest migration this node knows is refused (DatabaseTooNewError), as on SQLite.
 * Returns the versions this call applied.
 */
export async function migratePostgres(sql: postgres.Sql, migrations = loadMigrations(POSTGRES_MIGRATIONS_DIR)): Promise<number[]> {
  const latest = migrations.at(-1)?.version ?? 0;
  return sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS schema_version (
      version    integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const [row] = await tx.unsafe<{ current: number | null }[]>('SELECT max(version) AS current FROM schema_version');
    const current = row?.current ?? 0;
    if (current > latest) throw new DatabaseTooNewError(current, latest);
    const pending = migrations.filter((m) => m.version > current);
    for (const m of pending) {
      await tx.unsafe(m.sql);
      await tx.unsafe('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
    }
    return pending.map((m) => m.version);
  });
}

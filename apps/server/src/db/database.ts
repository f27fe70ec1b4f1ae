import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`the database is at schema version ${found}, but this server knows only up to ${known}; upgrade Latchkey`);
    this.name = 'DatabaseTooNewError';
  }
}

export interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const names = readdirSync(dir)
    .filter((name) => /^\d{4}-[a-z0-9-]+\.sql$/.test(name))
    .sort();
  // Two files with one number (a renamed migration left behind) would both run: refuse to start.
  const twice = names.filter((name, i) => i > 0 && name.slice(0, 4) === names[i - 1]!.slice(0, 4));
  if (twice.length > 0) throw new Error(`two migrations are numbered ${twice.map((n) => n.slice(0, 4)).join(', ')} in ${dir}`);
  return names.map((name) => ({ version: Number(name.slice(0, 4)), sql: readFileSync(`${dir}/${name}`, 'utf8') }));
}

/**
 * Applies every migration newer than `user_version`, all in one transaction. Foreign keys are off
 * while it runs (SQLite's procedure for rebuilding a table others refer to) and checked before the
 * commit: a migration that leaves a dangling reference rolls back whole.
 */
export function migrate(db: Db, migrations = loadMigrations()): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DatabaseTooNewError(current, latest);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) db.exec(m.sql);
      const dangling = db.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) throw new Error(`migration to ${latest} leaves ${dangling.length} broken references`);
      db.pragma(`user_version = ${latest}`);
    }).immediate();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, loadMigrations, migrate, openDatabase } from '../../src/db/database.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const tempDb = () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-db-'));
  return join(dir, 'test.db');
};

describe('the database', () => {
  it('opens in WAL mode with synchronous=FULL, foreign keys on and a busy timeout', () => {
    const db = openDatabase(tempDb());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('applies the numbered migrations and records the version; every table is STRICT', () => {
    const db = openDatabase(tempDb());
    const latest = loadMigrations().at(-1)!.version;
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    const tables = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all();
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) expect(table.sql, table.name).toMatch(/\) STRICT$/);
    db.close();
  });

  it('applies migrations in one transaction: a failing one leaves nothing behind', () => {
    const db = new Database(tempDb());
    expect(() =>
      migrate(db, [
        { version: 10, sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
        { version: 20, sql: 'CREATE TABLE broken (' },
      ]),
    ).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const file = tempDb();
    const db = new Database(file);
    db.pragma('user_version = 9990');
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
  });
});

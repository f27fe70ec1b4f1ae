import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('upgrades a first-release database to 0020 keeping requests, sessions and their references', () => {
    const file = tempDb();
    const all = loadMigrations();
    const first = new Database(file);
    first.pragma('foreign_keys = ON');
    migrate(
      first,
      all.filter((m) => m.version === 10),
    );
    first.exec(`
      INSERT INTO clients (id, computer_name, token_hash, allow_otp, enrolled_at) VALUES ('c1', 'PC-1', x'00', 1, 1);
      INSERT INTO otp_requests (id, client_id, os_user, email, method, status, created_at, expires_at)
        VALUES ('r0', 'c1', 'CORP\\jdoe', 'j@example.com', 'email', 'used', 1, 2);
      INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
        VALUES ('s0', 'c1', 'r0', 'CORP\\jdoe', 'j@example.com', 'otp', 1, 1);
    `);
    first.close();
    const db = openDatabase(file);
    db.exec(`INSERT INTO otp_requests (id, client_id, os_user, email, method, status, created_at, expires_at)
      VALUES ('r1', 'c1', 'CORP\\jdoe', 'j@example.com', 'email', 'burnt', 1, 2)`);
    db.exec(`INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
      VALUES ('s1', 'c1', NULL, 'CORP\\jdoe', 'j@example.com', 'offline', 1, 1)`);
    expect(db.prepare('SELECT id, status FROM otp_requests ORDER BY id').all()).toEqual([
      { id: 'r0', status: 'used' },
      { id: 'r1', status: 'burnt' },
    ]);
    expect(db.prepare("SELECT request_id FROM sessions WHERE id = 's0'").get()).toEqual({ request_id: 'r0' });
    expect(() =>
      db.exec(`INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
      VALUES ('s2', 'nope', 'r1', 'u', 'e', 'otp', 1, 1)`),
    ).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('rolls back a migration that leaves a broken reference', () => {
    const db = new Database(tempDb());
    db.pragma('foreign_keys = ON');
    expect(() =>
      migrate(db, [
        { version: 10, sql: 'CREATE TABLE p (id INTEGER PRIMARY KEY) STRICT; CREATE TABLE c (p INTEGER REFERENCES p (id)) STRICT;' },
        { version: 20, sql: 'INSERT INTO c VALUES (7);' },
      ]),
    ).toThrow(/broken references/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const file = tempDb();
    const db = new Database(file);
    db.pragma('user_version = 9990');
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
  });

  it('refuses two migrations with one number (a renamed file left behind in dist would run twice)', () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-migrations-'));
    writeFileSync(join(dir, '0010-initial.sql'), 'CREATE TABLE a (x INTEGER) STRICT;');
    writeFileSync(join(dir, '0100-new-name.sql'), 'CREATE INDEX a_x ON a (x);');
    writeFileSync(join(dir, '0100-old-name.sql'), 'CREATE INDEX a_x ON a (x);');
    expect(() => loadMigrations(dir)).toThrow(/two migrations are numbered 0100/);
  });
});

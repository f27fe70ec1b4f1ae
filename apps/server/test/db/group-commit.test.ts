import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/db/group-commit.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open() {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-group-'));
  const db = new Database(join(dir, 'g.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE) STRICT');
  return db;
}

describe('group commit', () => {
  it('commits writes queued in one turn together, each atomic, and a failing one rolls back only itself', async () => {
    const db = open();
    const group = createGroupCommit(db);
    const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
    const piece = (values: string[]) => db.transaction(() => values.forEach((v) => insert.run(v))).immediate();
    const results = await Promise.allSettled([
      group.run(() => piece(['a', 'b'])),
      group.run(() => piece(['c', 'a'])), // duplicate 'a': this piece fails as a whole, 'c' too
      group.run(() => piece(['d'])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['a', 'b', 'd']);
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('rolls back a piece that throws after some of its writes, though its writer did not make it a transaction', async () => {
    const db = open();
    const group = createGroupCommit(db);
    const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      group.run(() => insert.run('before')),
      group.run(() => {
        insert.run('half');
        throw new Error('failed after one of its two writes');
      }),
      group.run(() => {
        insert.run('x');
        insert.run('before'); // UNIQUE: the second statement fails, the first must go too
      }),
      group.run(() => insert.run('after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['before', 'after']);
    db.close();
  });

  it('refuses every piece of a group whose transaction SQLite abandoned, and keeps none of it', async () => {
    const db = open();
    const group = createGroupCommit(db);
    const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      group.run(() => insert.run('kept?')),
      group.run(() => db.exec('ROLLBACK')), // what SQLite does itself on SQLITE_FULL or an I/O error
      group.run(() => insert.run('after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    db.close();
  });

  it('answers a piece only after its group is committed', async () => {
    const db = open();
    const group = createGroupCommit(db);
    const value = await group.run(() => db.prepare("INSERT INTO t (v) VALUES ('x') RETURNING id").pluck().get());
    const other = new Database(join(dir, 'g.db'), { readonly: true });
    expect(other.prepare('SELECT id FROM t').pluck().all()).toEqual([value]);
    other.close();
    db.close();
  });
});

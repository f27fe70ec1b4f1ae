// The disk's limit for durable writes: single-row commits per second, WAL and synchronous=FULL,
// exactly the pragmas the server uses, in a file next to the server's database.
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';

export function measureCommitsPerSecond(file, durationMs = 4000) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, v TEXT NOT NULL) STRICT');
  const insert = db.prepare('INSERT INTO t (at, v) VALUES (?, ?)');
  const end = performance.now() + durationMs;
  const started = performance.now();
  let n = 0;
  while (performance.now() < end) {
    insert.run(Date.now(), 'one row, one commit, one fsync');
    n++;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return perSecond;
}

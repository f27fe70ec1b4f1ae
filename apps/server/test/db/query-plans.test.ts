import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredStatements } from '../../src/db/engine.js';
import { buildTestApp, onPostgres, type TestApp } from '../helper.js';

// Tables that grow with use: a year of logons is millions of rows. A statement that reads one of
// them without an index gets slower every day; the benchmark found one (the re-lock lookup on
// every verify) only after verify/s had fallen to a third. This test asks SQLite for the plan of
// every statement the server prepares and refuses any scan of a growing table (a scan of a partial
// index too: the re-lock lookup walked every open session), so the next one is found when it is written.
const GROWING = ['otp_requests', 'sessions', 'audit_events', 'session_events', 'mail_queue', 'offline_unlocks', 'verify_failures'];

// Statements allowed to scan, each with why. Keep this short.
const ALLOWED: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^SELECT count\(\*\) AS n, min\(created_at\) AS oldest FROM mail_queue WHERE sent_at IS NULL$/,
    why: 'the mail backlog for health and metrics: walks only unsent mail (the partial index mail_queue_due), not the sent history',
  },
  {
    pattern: /^SELECT id, at, type, actor, .* FROM audit_events WHERE .* ORDER BY id DESC LIMIT @limit/s,
    why: 'the Audit page: walks the table newest first by rowid and stops at the page size; free-text filters cannot use an index',
  },
];

const captured = new Set<string>();
const originalPrepare = Database.prototype.prepare;

function planOf(db: Database.Database, sql: string): string[] {
  const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const names = [...new Set([...sql.matchAll(/[@:$]([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
  const positional = (sql.match(/\?/g) ?? []).length;
  const args: unknown[] = Array.from({ length: positional }, () => null);
  if (names.length > 0) args.unshift(Object.fromEntries(names.map((n) => [n, null])));
  return (stmt.all(...args) as { detail: string }[]).map((r) => r.detail);
}

// SQLite's planner (EXPLAIN QUERY PLAN); PostgreSQL's indexes are the twins of these (test/db/postgres-migrations.test.ts).
describe.skipIf(onPostgres())('query plans', () => {
  let t: TestApp;

  beforeAll(async () => {
    Database.prototype.prepare = function (this: Database.Database, sql: string) {
      captured.add(sql);
      return originalPrepare.call(this, sql);
    } as typeof originalPrepare;
    try {
      t = await buildTestApp();
      // Exercise the lazily prepared paths too: enroll, request, verify, heartbeat, admin lists.
      const admin = await t.adminToken();
      const client = await t.enroll('PC-PLANS');
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests', headers: { authorization: `Bearer ${admin}` } });
      await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: { authorization: `Bearer ${client.clientToken}` } });
    } finally {
      Database.prototype.prepare = originalPrepare;
    }
    // Statements of stores on the engine (db/engine.ts) are prepared when they first run: all of them.
    for (const statement of declaredStatements()) captured.add(statement.sqlite);
  });
  afterAll(async () => t.destroy());

  it('captured the statements the server prepares', () => {
    expect(captured.size).toBeGreaterThan(50);
  });

  it('no statement scans a growing table without an index', async () => {
    await t.close();
    const db = new Database(join(t.dataDir, 'latchkey.db'), { readonly: true });
    try {
      const scans: string[] = [];
      for (const sql of captured) {
        if (!/^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)/i.test(sql)) continue;
        if (ALLOWED.some((a) => a.pattern.test(sql.replace(/\s+/g, ' ').trim()))) continue;
        for (const detail of planOf(db, sql)) {
          const m = /^SCAN (\w+)(.*)$/.exec(detail);
          if (m && GROWING.includes(m[1]!)) scans.push(`${detail}\n    in: ${sql.replace(/\s+/g, ' ').trim()}`);
        }
      }
      expect(scans).toEqual([]);
    } finally {
      db.close();
    }
  });
});

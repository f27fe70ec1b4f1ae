import { postgresSkipReason, startPostgres, startStandby, type PostgresCluster } from '@latchkey/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { all, run, sql } from '../../src/db/engine.js';
import { parseDatabaseUrl } from '../../src/db/postgres/database-url.js';
import { createPostgresEngine, type PostgresEngine } from '../../src/db/postgres/engine.js';
import { migratePostgres } from '../../src/db/postgres/migrate.js';

const insertSetting = sql<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?)');
const settings = sql<[], { key: string }>('SELECT key FROM settings ORDER BY key');

describe.skipIf(postgresSkipReason() !== undefined)('a node on a multi-host URL when the primary fails', () => {
  const started: PostgresCluster[] = [];
  let engine: PostgresEngine | undefined;
  afterAll(async () => {
    await engine?.close();
    for (const cluster of started) await cluster.stop();
  });

  it('writes to the promoted synchronous standby within 10 s, with every acknowledged write still there', async () => {
    const primary = await startPostgres();
    started.push(primary);
    primary.createDatabase('latchkey');
    const standby = await startStandby(primary);
    started.push(standby);
    const url = primary
      .urlFor('latchkey')
      .replace(`:${primary.port}/`, `:${primary.port},127.0.0.1:${standby.port}/`)
      .concat('?target_session_attrs=read-write');
    expect(parseDatabaseUrl(url).hosts).toHaveLength(2);
    engine = createPostgresEngine(url, { maxConnections: 2 });
    await migratePostgres(engine.sql);
    // Acknowledged before the primary is lost: synchronous replication has put each on the standby.
    for (let i = 0; i < 20; i++) await engine.write(() => run(insertSetting, `before-${String(i).padStart(2, '0')}`, 'x'));

    await primary.crash();
    const lostAt = Date.now();
    await standby.promote();
    // The node keeps trying as it would for each request; its pool reconnects down the host list.
    for (;;) {
      try {
        await engine.write(() => run(insertSetting, 'after', 'x'));
        break;
      } catch {
        expect(Date.now() - lostAt).toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const downMs = Date.now() - lostAt;
    console.info(`failover: writes again ${downMs} ms after the primary was killed`);
    expect(downMs).toBeLessThan(10_000);
    const keys = (await engine.read(() => all(settings))).map((r) => r.key);
    expect(keys).toEqual(['after', ...Array.from({ length: 20 }, (_, i) => `before-${String(i).padStart(2, '0')}`)]);
    expect(standby.psql('SELECT pg_is_in_recovery()')).toBe('f');
  });
});

import { describe, expect, it } from 'vitest';
import { all, get, notify, numberPlaceholders, run, sql, type Engine } from '../../src/db/engine.js';
import { claimDueMail } from '../../src/mail/mail-queue.js';
import { ENGINES, postgresCluster, useEngine } from '../support/engines.js';

const insertSetting = sql<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?)');
const setSetting = sql<[string, string]>('UPDATE settings SET value = ? WHERE key = ?');
const settingOf = sql<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
const queueMail = sql<[string, Buffer, number, number]>(
  `INSERT INTO mail_queue (recipient, kind, sealed_message, created_at, next_attempt_at) VALUES (?, 'otp', ?, ?, ?)`,
);
const mailIds = sql<[], { id: number }>('SELECT id FROM mail_queue ORDER BY id');
const dueOf = sql<[number], { at: number; n: number }>(
  'SELECT next_attempt_at AS "at", (SELECT count(*) FROM mail_queue) AS "n" FROM mail_queue WHERE id = ?',
);

describe('statements', () => {
  it('number PostgreSQL placeholders in order, leaving quoted text and comments alone', () => {
    expect(numberPlaceholders(`UPDATE t SET a = @now, b = '@x' WHERE id = @id AND c < @now`)).toEqual({
      text: `UPDATE t SET a = $1, b = '@x' WHERE id = $2 AND c < $1`,
      names: ['now', 'id'],
    });
    expect(() => sql('SELECT ? WHERE a = @a')).toThrow(/mixes/);
    expect(numberPlaceholders(`SELECT a AS "why?" FROM t WHERE b = ? AND c = '?' -- d = ?\n AND e IN (?, ?)`).text).toBe(
      `SELECT a AS "why?" FROM t WHERE b = $1 AND c = '?' -- d = ?\n AND e IN ($2, $3)`,
    );
    expect(sql({ sqlite: 'SELECT ? ', postgres: 'SELECT ?::int' })).toMatchObject({ sqlite: 'SELECT ? ', postgres: 'SELECT $1::int' });
  });
});

/** Resolves with the first payload `engine` hears on `channel`, or undefined after `ms`. */
function nextOn(engine: Engine, channel: string, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void engine.listen(channel, (payload) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

describe.each(ENGINES)('the $kind engine', (engineCase) => {
  const t = useEngine(engineCase);

  it('makes a write atomic: work that throws leaves nothing, and its caller gets the error', async () => {
    await expect(
      t.engine().write(function* () {
        yield* run(insertSetting, 'a', '1');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await t.engine().read(() => get(settingOf, 'a'))).toBeUndefined();
    await t.engine().write(() => run(insertSetting, 'a', '2'));
    expect(await t.engine().read(() => all(settingOf, 'a'))).toEqual([{ value: '2' }]);
  });

  it("takes named parameters as today's stores write them, on both engines", async () => {
    const upsert = sql<{ key: string; value: string }>(
      'INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value || @value',
    );
    await t.engine().write(() => run(upsert, { key: 'k', value: 'a' }));
    await t.engine().write(() => run(upsert, { value: 'b', key: 'k' }));
    expect(await t.engine().read(() => get(settingOf, 'k'))).toEqual({ value: 'bb' });
  });

  it('keeps every write of a burst on one row from two nodes, each read-then-write run again until it holds', async () => {
    await t.engine().write(() => run(insertSetting, 'counter', '0'));
    const nodes = [t.engine(), t.another()];
    // Both pools' ten connections open first, so up to twenty of the writers truly run side by side.
    await Promise.all(nodes.flatMap((node) => Array.from({ length: 10 }, () => node.read(() => get(settingOf, 'counter')))));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        nodes[i % 2]!.write(function* () {
          const current = Number((yield* get(settingOf, 'counter'))!.value);
          yield* run(setSetting, String(current + 1), 'counter');
        }),
      ),
    );
    expect(await t.engine().read(() => get(settingOf, 'counter'))).toEqual({ value: '40' });
  });

  it('wakes a listener on another node when a write commits, within a second, and never for one rolled back', async () => {
    const listener = t.another();
    const heard: string[] = [];
    let listens = 0;
    await listener.listen(
      'latchkey_wake',
      (payload) => heard.push(payload),
      () => listens++,
    );
    expect(listens).toBe(1);
    const woken = nextOn(listener, 'latchkey_wake', 1000);
    await expect(
      t.engine().write(function* () {
        yield* notify('latchkey_wake', 'rolled-back');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const started = Date.now();
    await t.engine().write(function* () {
      yield* run(insertSetting, 'decided', 'r1');
      yield* notify('latchkey_wake', 'request:r1');
    });
    expect(await woken).toBe('request:r1');
    expect(Date.now() - started).toBeLessThan(1000);
    await t.engine().notify('latchkey_wake', 'direct');
    await expect.poll(() => heard).toEqual(['request:r1', 'direct']);
  });

  it('claims each due mail once when two nodes claim at the same time, and again only after the lease', async () => {
    const now = 1_000_000;
    await t.engine().write(function* () {
      for (let i = 0; i < 40; i++) yield* run(queueMail, `u${i}@example.com`, Buffer.from([i]), now, now);
    });
    const nodes = [t.engine(), t.another()];
    // Every connection of both pools open first, so the claims truly run side by side.
    await Promise.all(nodes.flatMap((node) => Array.from({ length: 4 }, () => node.read(() => all(mailIds)))));
    const claimed: number[] = [];
    // Four mail workers on each node claim batches of 3 until nothing is left, all at once.
    await Promise.all(
      [...nodes, ...nodes, ...nodes, ...nodes].map(async (node) => {
        for (;;) {
          const batch = await node.write(() => claimDueMail(now, 60_000, 3), { isolation: 'read-committed' });
          if (batch.length === 0) return;
          claimed.push(...batch.map((m) => m.id));
        }
      }),
    );
    claimed.sort((a, b) => a - b);
    const ids = (await t.engine().read(() => all(mailIds))).map((r) => r.id);
    expect(claimed).toEqual(ids);
    expect(new Set(claimed).size).toBe(40);
    // A node that died mid-send: its claims are due again once the lease has run out, not before.
    expect(await t.engine().write(() => claimDueMail(now + 59_999, 60_000, 100))).toEqual([]);
    expect(await t.engine().write(() => claimDueMail(now + 60_000, 60_000, 100))).toHaveLength(40);
  });

  it('stores and returns bytes, and millisecond timestamps as numbers', async () => {
    const at = Date.UTC(2026, 11, 7, 9, 0, 0);
    await t.engine().write(() => run(queueMail, 'a@example.com', Buffer.from([0, 1, 255]), at, at));
    const [mail] = await t.engine().write(() => claimDueMail(at, 1000, 1));
    expect(mail).toMatchObject({ recipient: 'a@example.com', kind: 'otp', attempts: 0 });
    expect(Buffer.from(mail!.sealedMessage)).toEqual(Buffer.from([0, 1, 255]));
    expect(typeof mail!.id).toBe('number');
    const due = await t.engine().read(() => get(dueOf, mail!.id));
    expect(due).toEqual({ at: at + 1000, n: 1 });
  });

  it.skipIf(engineCase.kind !== 'postgres')('listens again by itself after its connection is cut, and says so', async () => {
    const listener = t.another();
    let listens = 0;
    const heard: string[] = [];
    await listener.listen(
      'latchkey_wake',
      (payload) => heard.push(payload),
      () => listens++,
    );
    const pg = await postgresCluster();
    pg.psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.databaseName()}' AND query ILIKE 'listen%'`);
    await expect.poll(() => listens, { timeout: 10_000 }).toBe(2);
    await t.engine().notify('latchkey_wake', 'after');
    await expect.poll(() => heard, { timeout: 5000 }).toEqual(['after']);
  });
});

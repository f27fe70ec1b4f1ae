import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { driveAsync, positionalParams, runAfterCommit, type Engine, type Op, type Work, type WriteOptions } from '../engine.js';

/** SQLSTATEs after which a transaction may simply run again: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);
/**
 * A write that still conflicts after this many runs is answered with the error (a 500, logged). Each
 * round of conflicting writers commits at least one, and the jittered pause spreads the rest: 40
 * writers of one row over two pools of 10 (test/db/engine.test.ts) needed fewer than 12 runs here;
 * 40 leaves room for more nodes.
 */
const MAX_RUNS = 40;

export interface PostgresEngineOptions {
  /** Connections in this node's pool (the driver's `max`). */
  maxConnections?: number;
  /** `application_name`, so pg_stat_activity says which node a connection is: LATCHKEY_NODE_NAME. */
  nodeName?: string;
}

export type PostgresEngine = Engine & {
  /** The driver, for the migration runner and tests; stores never use it. */
  readonly sql: postgres.Sql;
};

/** PostgreSQL's int8 (bigint: the millisecond timestamps, count(*)) as a JS number; ours stay below 2^53. */
const int8AsNumber = { to: 20, from: [20], serialize: (value: number) => String(value), parse: (raw: string) => Number(raw) };

/**
 * The shared engine: any number of nodes on one database. Driver: postgres.js (see the commit that
 * added it): multi-host URLs with target_session_attrs=read-write, TLS by sslmode, statements
 * prepared once per connection, pipelining, LISTEN on its own connection that reconnects.
 */
export function createPostgresEngine(url: string, options: PostgresEngineOptions = {}): PostgresEngine {
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    types: { int8: int8AsNumber },
    connection: { application_name: options.nodeName ?? 'latchkey' },
  });

  const answerOn =
    (conn: postgres.Sql | postgres.TransactionSql, after: (() => void)[]) =>
    async (op: Op): Promise<unknown> => {
      if (op.kind === 'after') {
        after.push(op.fn);
        return undefined;
      }
      if (op.kind === 'notify') {
        // Delivered when the transaction commits, never when it rolls back.
        await conn.unsafe('SELECT pg_notify($1, $2)', [op.channel, op.payload], { prepare: true });
        return undefined;
      }
      const params = positionalParams(op.statement, op.params) as postgres.ParameterOrJSON<never>[];
      const rows = await conn.unsafe(op.statement.postgres, params, { prepare: true });
      switch (op.kind) {
        case 'get':
          return rows[0];
        case 'all':
          return Array.from(rows);
        case 'run':
          return { changes: rows.count ?? 0 };
      }
    };

  return {
    kind: 'postgres',
    sql,
    async write<T>(work: () => Work<T>, writeOptions?: WriteOptions): Promise<T> {
      const isolation = writeOptions?.isolation === 'read-committed' ? 'isolation level read committed' : 'isolation level serializable';
      for (let run = 1; ; run++) {
        try {
          // Collected anew by each run: only the run that committed has its callbacks run.
          const after: (() => void)[] = [];
          const value = (await sql.begin(isolation, (tx) => driveAsync(work(), answerOn(tx, after)))) as T;
          runAfterCommit(after);
          return value;
        } catch (err) {
          if (run >= MAX_RUNS || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
          // Conflicting writers all ran to the end: start again after a short, spread-out pause.
          await sleep(Math.random() * 2 ** Math.min(run, 6));
        }
      }
    },
    async read(work) {
      const after: (() => void)[] = [];
      const value = await driveAsync(work(), answerOn(sql, after));
      runAfterCommit(after);
      return value;
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async listen(channel, onNotify, onListen) {
      const meta = await sql.listen(channel, onNotify, onListen);
      return { unlisten: () => meta.unlisten() };
    },
    // By then the node answered its last request and stopped its mail worker: what is left open is the
    // LISTEN connection and idle ones, which the driver would otherwise wait out.
    close: () => sql.end({ timeout: 1 }),
  };
}

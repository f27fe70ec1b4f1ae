import { EventEmitter } from 'node:events';
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './database.js';
import { driveSync, runAfterCommit, type Engine, type Op, type Statement, type Work } from './engine.js';
import type { GroupCommit } from './group-commit.js';

/** Prepared once per database and statement (an array by the statement's id: one index per statement run). */
const prepared = new WeakMap<Db, (BetterSqlite3.Statement | undefined)[]>();

function statementOf(db: Db, statement: Statement): BetterSqlite3.Statement {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = []));
  return (cache[statement.id] ??= db.prepare(statement.sqlite));
}

/** Notifications stay in the process on SQLite: one process is the whole deployment. */
const buses = new WeakMap<Db, EventEmitter>();
function busOf(db: Db): EventEmitter {
  let bus = buses.get(db);
  if (!bus) {
    buses.set(db, (bus = new EventEmitter()));
    bus.setMaxListeners(0);
  }
  return bus;
}

type Notification = { channel: string; payload: string } | { after: () => void };

function answer(db: Db, op: Op, notifications: Notification[]): unknown {
  if (op.kind === 'notify' || op.kind === 'after') {
    notifications.push(op.kind === 'notify' ? { channel: op.channel, payload: op.payload } : { after: op.fn });
    return undefined;
  }
  const stmt = statementOf(db, op.statement);
  switch (op.kind) {
    case 'get':
      return stmt.get(...op.params);
    case 'all':
      return stmt.all(...op.params);
    case 'run':
      return { changes: stmt.run(...op.params).changes };
  }
}

/**
 * After the commit: this node's own callbacks at once (an audit event for this node's followers), and
 * the notifications on a turn of their own, so a listener's failure is never mistaken for the write's.
 */
function committed(db: Db, notifications: Notification[]): void {
  const after: (() => void)[] = [];
  const toEmit: { channel: string; payload: string }[] = [];
  for (const n of notifications) {
    if ('after' in n) after.push(n.after);
    else toEmit.push(n);
  }
  runAfterCommit(after);
  if (toEmit.length === 0) return;
  const bus = busOf(db);
  setImmediate(() => {
    for (const { channel, payload } of toEmit) bus.emit(channel, payload);
  });
}

/**
 * Runs a store's work now, on this connection, outside the group commit: how the engine reads (and
 * tests look into the database). Its notifications go out on the next turn of the event loop.
 */
function runNow<T>(db: Db, work: Work<T>): T {
  const notifications: Notification[] = [];
  const value = driveSync(work, (op) => answer(db, op, notifications));
  // Inside whatever transaction the caller holds, which may still roll back: after this turn at the earliest.
  if (notifications.length > 0) setImmediate(() => committed(db, notifications));
  return value;
}

export type SqliteEngine = Engine & { readonly db: Db };

/**
 * The embedded engine: every write goes through the group commit, so a store's work is one
 * savepoint of the next group, run synchronously (no await inside the transaction, and nothing
 * slower than the stores' own prepared statements: one generator step per statement).
 */
export function createSqliteEngine(db: Db, groupCommit: GroupCommit): SqliteEngine {
  const bus = busOf(db);
  return {
    kind: 'sqlite',
    db,
    async write(work) {
      const notifications: Notification[] = [];
      // A piece that throws is rolled back and rejects here, so its notifications are never sent.
      const value = await groupCommit.run(() => driveSync(work(), (op) => answer(db, op, notifications)));
      if (notifications.length > 0) committed(db, notifications);
      return value;
    },
    read(work) {
      try {
        return Promise.resolve(runNow(db, work()));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    notify(channel, payload) {
      // After the caller's turn, as PostgreSQL delivers after the commit.
      setImmediate(() => bus.emit(channel, payload));
      return Promise.resolve();
    },
    listen(channel, onNotify, onListen) {
      bus.on(channel, onNotify);
      onListen?.();
      return Promise.resolve({
        unlisten: () => {
          bus.off(channel, onNotify);
          return Promise.resolve();
        },
      });
    },
    close: () => Promise.resolve(),
  };
}

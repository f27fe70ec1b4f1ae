/**
 * Two storage engines, one store source (issue 20). A store owns its SQL as `Statement`s and its
 * logic as generator functions that `yield*` the statements they run (`get`, `all`, `run`). The
 * engine drives the generator: SQLite answers each statement synchronously, so a store's work still
 * runs whole inside one group commit with no await in a better-sqlite3 transaction; PostgreSQL
 * answers each asynchronously over the pool. The same store code therefore serves both, and the
 * service layer sees only `Engine.write` / `Engine.read`, never which engine runs.
 *
 * Where the engines' SQL differs, the statement says so in one place: `sql({ sqlite, postgres })`.
 * Statements take `?` placeholders in order (parameters as a tuple) or `@name` placeholders (one
 * object, as better-sqlite3 takes them and today's stores write them); PostgreSQL's `$1, $2 …` are
 * derived once, here.
 */

declare const types: unique symbol;

/** Positional parameters (a tuple) or named ones (an object). */
export type Params = unknown[] | Record<string, unknown>;
/** What `get`/`all`/`run` take after the statement: the tuple itself, or the one object. */
type Args<P extends Params> = P extends unknown[] ? P : [P];

export interface Statement<P extends Params = Params, R = unknown> {
  readonly sqlite: string;
  readonly postgres: string;
  /** With `@name` placeholders: the names in PostgreSQL's `$n` order. */
  readonly names?: readonly string[];
  /** Its place among every declared statement: engines keep what they prepared in an array by it. */
  readonly id: number;
  /** Types only: the parameters and the row. */
  readonly [types]?: { params: P; row: R };
}

const statements: Statement[] = [];

/** One statement for both engines, or the text each engine runs where they differ. */
export function sql<P extends Params = [], R = never>(text: string | { sqlite: string; postgres: string }): Statement<P, R> {
  const sqlite = typeof text === 'string' ? text : text.sqlite;
  const { text: postgres, names } = numberPlaceholders(typeof text === 'string' ? text : text.postgres);
  const id = statements.length;
  const statement = Object.freeze(names.length > 0 ? { sqlite, postgres, id, names: Object.freeze(names) } : { sqlite, postgres, id });
  statements.push(statement);
  return statement;
}

/**
 * Every statement the loaded modules declared. Engines prepare a statement when it first runs, so
 * test/db/query-plans.test.ts reads this list to check the plans of those a test did not run.
 */
export function declaredStatements(): readonly Statement[] {
  return statements;
}

/**
 * `?` → `$1, $2 …` in order, or `@name` → `$n` (the same name, the same number), leaving quoted
 * strings, quoted identifiers and comments alone. One statement uses one kind.
 */
export function numberPlaceholders(text: string): { text: string; names: string[] } {
  let positional = 0;
  const names: string[] = [];
  const out = text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?|@[A-Za-z_]\w*/g, (token) => {
    if (token === '?') return `$${++positional}`;
    if (!token.startsWith('@')) return token;
    const at = names.indexOf(token.slice(1));
    return `$${at >= 0 ? at + 1 : names.push(token.slice(1))}`;
  });
  if (positional > 0 && names.length > 0) throw new Error(`a statement mixes ? and @name placeholders: ${text}`);
  return { text: out, names };
}

/** The values in PostgreSQL's `$n` order. */
export function positionalParams(statement: Statement, params: unknown[]): unknown[] {
  if (!statement.names) return params;
  const named = params[0] as Record<string, unknown>;
  return statement.names.map((name) => named[name]);
}

// On PostgreSQL a failed statement aborts its transaction: a store never catches a statement's error
// to carry on (SQLite would let it), it says what it means in SQL instead (ON CONFLICT, a WHERE).
export type Op =
  | { kind: 'get' | 'all' | 'run'; statement: Statement; params: unknown[] }
  | { kind: 'notify'; channel: string; payload: string }
  | { kind: 'after'; fn: () => void };

/** A store's unit of work: run by an engine, which hands back each statement's answer. */
export type Work<T> = Generator<Op, T, unknown>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** The first row, or undefined. */
export function* get<P extends Params, R>(statement: Statement<P, R>, ...params: Args<P>): Work<R | undefined> {
  return (yield { kind: 'get', statement: statement as Statement, params }) as R | undefined;
}

/** Every row. */
export function* all<P extends Params, R>(statement: Statement<P, R>, ...params: Args<P>): Work<R[]> {
  return (yield { kind: 'all', statement: statement as Statement, params }) as R[];
}

/** A statement for its effect. */
export function* run<P extends Params>(statement: Statement<P, unknown>, ...params: Args<P>): Work<RunResult> {
  return (yield { kind: 'run', statement: statement as Statement, params }) as RunResult;
}

/**
 * Wakes the listeners of `channel` on every node once this work commits, and never if it rolls back
 * (PostgreSQL: pg_notify in the transaction; SQLite: emitted after the group commit).
 */
export function* notify(channel: string, payload: string): Work<void> {
  yield { kind: 'notify', channel, payload };
}

/**
 * Runs `fn` in this process once this work has committed, never if it rolls back, and once even when
 * PostgreSQL ran the work again after a conflict (what an earlier run asked for is dropped with it).
 * For what belongs to this node alone: handing committed audit events to this node's syslog copy.
 */
export function* afterCommit(fn: () => void): Work<void> {
  yield { kind: 'after', fn };
}

/** Runs the callbacks `afterCommit` collected, each on its own so one failing stops none of the others. */
export function runAfterCommit(callbacks: readonly (() => void)[]): void {
  for (const fn of callbacks) {
    try {
      fn();
    } catch {
      // a follower's failure is its own (the write is committed and answered)
    }
  }
}

export type EngineKind = 'sqlite' | 'postgres';

export interface WriteOptions {
  /**
   * PostgreSQL only: run at READ COMMITTED instead of SERIALIZABLE. For work whose every statement
   * guards itself (a claim with FOR UPDATE SKIP LOCKED and a recheck, a single UPDATE … RETURNING),
   * which SERIALIZABLE would only make conflict and run again.
   */
  isolation?: 'read-committed';
}

/** For work whose every write guards itself (see WriteOptions.isolation). */
export const READ_COMMITTED: WriteOptions = Object.freeze({ isolation: 'read-committed' });

export interface Listening {
  /** Stops delivering to this listener. */
  unlisten(): Promise<void>;
}

export interface Engine {
  readonly kind: EngineKind;
  /**
   * Runs `work` as one atomic write. SQLite: in the next group commit (one fsync for the group).
   * PostgreSQL: one SERIALIZABLE transaction, run again from the start when PostgreSQL reports a
   * serialization failure or deadlock, so a store's read-then-write logic holds across nodes exactly
   * as it holds on SQLite's single writer. `work` is a function so that it can be started again:
   * it must have no effect outside the database.
   */
  write<T>(work: () => Work<T>, options?: WriteOptions): Promise<T>;
  /** Runs read-only `work` outside a write transaction (PostgreSQL: each statement on its own). */
  read<T>(work: () => Work<T>): Promise<T>;
  /** Wakes every node listening on `channel` now (outside a write; inside one, `yield* notify`). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `onNotify` for each notification on `channel`, from any node. PostgreSQL listens on a
   * connection of its own that reconnects by itself; `onListen` runs after each (re)connect, so the
   * caller can look again for what it may have missed meanwhile (notifications are not queued for a
   * listener that was away: a wake-up is a hint, the database is the truth).
   */
  listen(channel: string, onNotify: (payload: string) => void, onListen?: () => void): Promise<Listening>;
  close(): Promise<void>;
}

/** Drives `work` with an answer function that returns at once: how SQLite runs a store, synchronously. */
export function driveSync<T>(work: Work<T>, answer: (op: Op) => unknown): T {
  let step = work.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = answer(step.value);
    } catch (err) {
      step = work.throw(err);
      continue;
    }
    step = work.next(value);
  }
  return step.value;
}

/** Drives `work` with an answer function that returns a promise: how PostgreSQL runs a store. */
export async function driveAsync<T>(work: Work<T>, answer: (op: Op) => Promise<unknown>): Promise<T> {
  let step = work.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await answer(step.value);
    } catch (err) {
      step = work.throw(err);
      continue;
    }
    step = work.next(value);
  }
  return step.value;
}

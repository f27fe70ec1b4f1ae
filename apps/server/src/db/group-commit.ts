import type { Db } from './database.js';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;

/**
 * Group commit. With synchronous=FULL every COMMIT waits for an fsync, and on one event loop that
 * wait is paid once per request. Write work queued in the same turn of the event loop instead runs in
 * one transaction, each piece in its own savepoint, and a single COMMIT makes the whole group durable
 * before any caller is answered.
 * Each piece stays atomic and runs in arrival order; one that throws rolls back only itself. If
 * SQLite abandons the whole transaction (disk full, I/O error) or the COMMIT fails, every piece of
 * the group is refused with that error, since none of it is durable.
 */
export function createGroupCommit(db: Db, maxGroup = 128) {
  let queue: Job[] = [];
  let scheduled = false;
  let groupListener: ((size: number) => void) | undefined;

  // Nested in the group's transaction, better-sqlite3 runs this as SAVEPOINT … RELEASE, and as
  // ROLLBACK TO when the piece throws: a piece is atomic whether or not its writer made it a transaction.
  const inSavepoint = db.transaction((fn: () => unknown) => fn());
  const runGroup = db.transaction((jobs: Job[], outcomes: { ok: boolean; value: unknown }[]) => {
    for (const job of jobs) {
      let outcome: { ok: boolean; value: unknown };
      try {
        outcome = { ok: true, value: inSavepoint(job.fn) };
      } catch (err) {
        outcome = { ok: false, value: err };
      }
      // SQLite rolls the whole transaction back itself on some errors: then nothing of the group holds.
      if (!db.inTransaction) throw outcome.ok ? new Error('the transaction ended inside a grouped write') : outcome.value;
      outcomes.push(outcome);
    }
  });

  function flush(): void {
    scheduled = false;
    const jobs = queue.length <= maxGroup ? queue : queue.slice(0, maxGroup);
    queue = queue.length <= maxGroup ? [] : queue.slice(maxGroup);
    if (queue.length > 0) schedule();
    groupListener?.(jobs.length);
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      runGroup.immediate(jobs, outcomes);
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.value);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    /** Tells `listener` the size of each group as it is committed (metrics). */
    onGroup(listener: (size: number) => void): void {
      groupListener = listener;
    },
    /** Runs `fn` inside the next group's transaction; settles once that group is committed. */
    run<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}

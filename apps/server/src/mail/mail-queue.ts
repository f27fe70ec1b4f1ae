import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { seal, unseal } from '../crypto/seal.js';
import type { MailMessage } from './mail-message.js';
import type { MailTransport } from './mail-transport.js';

const SEAL_CONTEXT = 'latchkey mail v1';
/** A claimed message is retried after this long if the process dies while sending it. */
const CLAIM_LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export interface MailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface QueuedRow {
  id: number;
  recipient: string;
  kind: string;
  sealedMessage: Buffer;
  attempts: number;
}

export type MailQueue = ReturnType<typeof createMailQueue>;

/**
 * A durable queue: enqueue writes the sealed message in the caller's transaction, and a worker sends
 * it later with retries and backoff. A slow or absent SMTP server therefore never fails a request, and
 * nothing is lost across restarts (delivery is at least once).
 */
export function createMailQueue(options: {
  db: Db;
  clock: Clock;
  sealKey: Buffer;
  transport: MailTransport;
  logger: MailLogger;
  concurrency?: number;
  pollIntervalMs?: number;
  /** Runs a write durably, e.g. in the next group commit; by default at once in its own transaction. */
  commit?: <T>(write: () => T) => Promise<T>;
}) {
  const { db, clock, sealKey, transport, logger } = options;
  const concurrency = options.concurrency ?? 8;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const commit = options.commit ?? (async <T>(write: () => T) => write());

  const insert = db.prepare<[string, string, Buffer, number, number]>(
    'INSERT INTO mail_queue (recipient, kind, sealed_message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
  );
  const due = db.prepare<[number, number], QueuedRow>(
    `SELECT id, recipient, kind, sealed_message AS sealedMessage, attempts
       FROM mail_queue WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const claim = db.prepare<[number, number]>('UPDATE mail_queue SET next_attempt_at = ? WHERE id = ?');
  const markSent = db.prepare<[number, number]>(
    'UPDATE mail_queue SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?',
  );
  const markFailed = db.prepare<[number, string, number]>(
    'UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
  );
  // Only one server owns the database, so at start any lease still running belongs to a process that died.
  const releaseClaims = db.prepare<[number, number]>(
    'UPDATE mail_queue SET next_attempt_at = ? WHERE sent_at IS NULL AND next_attempt_at > ?',
  );
  // When the newest mail of a kind to a recipient is (or was) due: a throttled one may be due later.
  const lastDue = db.prepare<[string, string], { due: number | null }>(
    'SELECT max(coalesce(not_before, created_at)) AS due FROM mail_queue WHERE recipient = ? AND kind = ?',
  );
  const insertLater = db.prepare<[string, string, Buffer, number, number, number]>(
    'INSERT INTO mail_queue (recipient, kind, sealed_message, created_at, next_attempt_at, not_before) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const countPending = db.prepare<[], { n: number; oldest: number | null }>(
    'SELECT count(*) AS n, min(created_at) AS oldest FROM mail_queue WHERE sent_at IS NULL',
  );
  const claimBatch = db.transaction((limit: number): QueuedRow[] => {
    const now = clock.now();
    const rows = due.all(now, limit);
    for (const row of rows) claim.run(now + CLAIM_LEASE_MS, row.id);
    return rows;
  });

  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = true;
  let rerun = false;
  let idle: Promise<void> = Promise.resolve();

  async function sendOne(row: QueuedRow): Promise<void> {
    try {
      const message = JSON.parse(unseal(sealKey, row.sealedMessage, SEAL_CONTEXT)) as MailMessage;
      await transport.send(message);
      await commit(() => markSent.run(clock.now(), row.id));
      logger.info({ mailId: row.id, kind: row.kind, to: row.recipient }, 'mail sent');
    } catch (err) {
      const backoff = Math.min(1000 * 2 ** row.attempts, MAX_BACKOFF_MS);
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
      await commit(() => markFailed.run(clock.now() + backoff, reason, row.id)).catch(() => {
        // the database refused the write (disk full): the lease runs out and the message is retried
      });
      logger.warn({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1, retryInMs: backoff, reason }, 'mail not sent, will retry');
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      const batch = claimBatch.immediate(concurrency * 4);
      if (batch.length === 0) return;
      const queue = [...batch];
      await Promise.all(
        Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
          for (let row = queue.shift(); row; row = queue.shift()) await sendOne(row);
        }),
      );
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    idle = (async () => {
      try {
        do {
          rerun = false;
          await drain();
        } while (rerun && !stopped);
      } catch (err) {
        logger.warn({ reason: err instanceof Error ? err.message : 'unknown' }, 'mail worker pass failed');
      } finally {
        running = false;
      }
    })();
  }

  return {
    /** Call inside the transaction that creates what the mail is about. */
    enqueue(kind: string, message: MailMessage): void {
      insert.run(message.to, kind, seal(sealKey, JSON.stringify(message), SEAL_CONTEXT), clock.now(), clock.now());
      if (!stopped) setImmediate(kick);
    },
    /**
     * At most one mail of `kind` to a recipient per `intervalMs`: `now` when none went out within
     * the interval; otherwise one `later` mail when the interval is over (none if one is already waiting).
     * Both must have the same recipient. In the caller's transaction, like `enqueue`.
     */
    enqueueThrottled(kind: string, intervalMs: number, message: { now: MailMessage; later: MailMessage }): void {
      const now = clock.now();
      const last = lastDue.get(message.now.to, kind)?.due ?? null;
      if (last === null || last + intervalMs <= now) return this.enqueue(kind, message.now);
      if (last > now) return;
      const at = last + intervalMs;
      insertLater.run(message.later.to, kind, seal(sealKey, JSON.stringify(message.later), SEAL_CONTEXT), now, at, at);
    },
    start(): void {
      // Mail claimed by a process killed mid-send goes out now, not when its 2-minute lease ends.
      const now = clock.now();
      releaseClaims.run(now, now);
      stopped = false;
      timer = setInterval(kick, pollIntervalMs);
      timer.unref();
      kick();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      await idle;
      transport.close();
    },
    /** Sends everything due now; for tests and shutdown. */
    async flush(): Promise<void> {
      await idle;
      await drain();
    },
    pendingCount: () => countPending.get()!.n,
    /** Unsent messages and when the oldest of them was queued (null when none), for health and metrics. */
    backlog(): { pending: number; oldestQueuedAt: number | null } {
      const row = countPending.get()!;
      return { pending: row.n, oldestQueuedAt: row.oldest };
    },
  };
}

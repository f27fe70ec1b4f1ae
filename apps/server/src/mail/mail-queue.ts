import type { Clock } from '../clock.js';
import { READ_COMMITTED, afterCommit, all, get, run, sql, type Engine, type Work } from '../db/engine.js';
import { seal, unseal } from '../crypto/seal.js';
import type { MailMessage } from './mail-message.js';
import type { MailTransport } from './mail-transport.js';

const SEAL_CONTEXT = 'latchkey mail v1';
/** A claimed message is retried after this long if the node dies while sending it. */
export const CLAIM_LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 10 * 60_000;

export interface MailLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ClaimedMail {
  id: number;
  recipient: string;
  kind: string;
  sealedMessage: Buffer;
  attempts: number;
}

const insert = sql<[string, string, Buffer, number, number]>(
  'INSERT INTO mail_queue (recipient, kind, sealed_message, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
);
/**
 * The claim, one statement whose lease is `next_attempt_at` itself: a claimed row is due again only
 * once its lease has run out, so a node that dies mid-send leaves its mails to another node after the
 * lease (at most one duplicate, never a lost mail).
 * - PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent claimers each take other rows without waiting,
 *   and the outer WHERE checks the row again after any wait, so a row is never claimed twice. Run at
 *   READ COMMITTED: the statement guards itself.
 * - SQLite: the same UPDATE … RETURNING without row locks, which one writer does not need.
 */
const claimDue = sql<[number, number, number, number], ClaimedMail>({
  sqlite: `UPDATE mail_queue SET next_attempt_at = ?
            WHERE id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL AND next_attempt_at <= ?
                          ORDER BY next_attempt_at, id LIMIT ?)
              AND next_attempt_at <= ?
           RETURNING id, recipient, kind, sealed_message AS "sealedMessage", attempts`,
  postgres: `UPDATE mail_queue SET next_attempt_at = ?
              WHERE id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL AND next_attempt_at <= ?
                            ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
                AND sent_at IS NULL AND next_attempt_at <= ?
             RETURNING id, recipient, kind, sealed_message AS "sealedMessage", attempts`,
});
const markSent = sql<[number, number]>('UPDATE mail_queue SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?');
const markFailed = sql<[number, string, number]>(
  'UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
);
// One SQLite server owns its database, so at its start any lease still running belongs to a process that died.
const releaseClaims = sql<[number, number]>('UPDATE mail_queue SET next_attempt_at = ? WHERE sent_at IS NULL AND next_attempt_at > ?');
// Throttled mail of a kind to a recipient is decided one transaction at a time. PostgreSQL runs these
// at READ COMMITTED (the Client's row lock keeps one Client's actions in turn, not two Clients'): two
// Clients asking at once would both read "no notice within the interval" and both send one. The
// transaction-scoped advisory lock makes the second wait for the first's commit; its next statement
// then reads that mail. SQLite has one writer, so its transaction already is alone.
const throttleTurn = sql<[string, string]>({
  sqlite: 'SELECT ?, ?',
  postgres: "SELECT pg_advisory_xact_lock(hashtextextended(?::text || ' ' || ?::text, 0))",
});
// When the newest mail of a kind to a recipient is (or was) due: a throttled one may be due later.
const lastDue = sql<[string, string], { due: number | null }>(
  'SELECT max(coalesce(not_before, created_at)) AS due FROM mail_queue WHERE recipient = ? AND kind = ?',
);
const insertLater = sql<[string, string, Buffer, number, number, number]>(
  'INSERT INTO mail_queue (recipient, kind, sealed_message, created_at, next_attempt_at, not_before) VALUES (?, ?, ?, ?, ?, ?)',
);
const countPending = sql<[], { n: number; oldest: number | null }>(
  'SELECT count(*) AS n, min(created_at) AS oldest FROM mail_queue WHERE sent_at IS NULL',
);

/** Claims up to `limit` due mails until `now + leaseMs`; oldest first. */
export function* claimDueMail(now: number, leaseMs: number, limit: number): Work<ClaimedMail[]> {
  const rows = yield* all(claimDue, now + leaseMs, now, limit, now);
  return rows.sort((a, b) => a.id - b.id);
}

export type MailQueue = ReturnType<typeof createMailQueue>;

/**
 * A durable queue, the one owner of `mail_queue`: enqueue writes the sealed message in the caller's
 * transaction, and a worker sends it later with retries and backoff. A slow or absent SMTP server
 * therefore never fails a request, and nothing is lost across restarts (delivery is at least once).
 * On several nodes each claims with a lease, so each mail is sent by one node.
 */
export function createMailQueue(options: {
  engine: Engine;
  clock: Clock;
  sealKey: Buffer;
  transport: MailTransport;
  logger: MailLogger;
  concurrency?: number;
  pollIntervalMs?: number;
}) {
  const { engine, clock, sealKey, transport, logger } = options;
  const concurrency = options.concurrency ?? 8;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;

  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = true;
  let rerun = false;
  let idle: Promise<void> = Promise.resolve();

  async function sendOne(row: ClaimedMail): Promise<void> {
    try {
      const message = JSON.parse(unseal(sealKey, row.sealedMessage, SEAL_CONTEXT)) as MailMessage;
      await transport.send(message);
      await engine.write(() => run(markSent, clock.now(), row.id));
      logger.info({ mailId: row.id, kind: row.kind, to: row.recipient }, 'mail sent');
    } catch (err) {
      const backoff = Math.min(1000 * 2 ** row.attempts, MAX_BACKOFF_MS);
      const reason = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
      await engine
        .write(() => run(markFailed, clock.now() + backoff, reason, row.id))
        .catch(() => {
          // the database refused the write (disk full, unreachable): the lease runs out and the message is retried
        });
      logger.warn({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1, retryInMs: backoff, reason }, 'mail not sent, will retry');
    }
  }

  async function drain(): Promise<void> {
    for (;;) {
      const batch = await engine.write(() => claimDueMail(clock.now(), CLAIM_LEASE_MS, concurrency * 4), READ_COMMITTED);
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

  const sealed = (message: MailMessage) => seal(sealKey, JSON.stringify(message), SEAL_CONTEXT);

  /** In the transaction that creates what the mail is about; the worker is woken once it commits. */
  function* enqueue(kind: string, message: MailMessage): Work<void> {
    yield* run(insert, message.to, kind, sealed(message), clock.now(), clock.now());
    yield* afterCommit(() => {
      if (!stopped) setImmediate(kick);
    });
  }

  return {
    enqueue,
    /**
     * At most one mail of `kind` to a recipient per `intervalMs`: `now` when none went out within
     * the interval; otherwise one `later` mail when the interval is over (none if one is already waiting).
     * Both must have the same recipient. In the caller's transaction, like `enqueue`.
     */
    *enqueueThrottled(kind: string, intervalMs: number, message: { now: MailMessage; later: MailMessage }): Work<void> {
      yield* run(throttleTurn, message.now.to, kind);
      const now = clock.now();
      const last = (yield* get(lastDue, message.now.to, kind))?.due ?? null;
      if (last === null || last + intervalMs <= now) return yield* enqueue(kind, message.now);
      if (last > now) return;
      const at = last + intervalMs;
      yield* run(insertLater, message.later.to, kind, sealed(message.later), now, at, at);
    },
    /**
     * Starts the worker. `releaseClaims`: this node is the only one (SQLite), so mail claimed by a
     * process killed mid-send goes out now, not when its 2-minute lease ends. Several nodes leave
     * each other's leases alone.
     */
    async start(releaseLeases: boolean): Promise<void> {
      if (releaseLeases) {
        const now = clock.now();
        await engine.write(() => run(releaseClaims, now, now));
      }
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
    pendingCount: async (): Promise<number> => (await engine.read(() => get(countPending)))!.n,
    /** Unsent messages and when the oldest of them was queued (null when none), for health and metrics. */
    async backlog(): Promise<{ pending: number; oldestQueuedAt: number | null }> {
      const row = (await engine.read(() => get(countPending)))!;
      return { pending: row.n, oldestQueuedAt: row.oldest };
    },
  };
}

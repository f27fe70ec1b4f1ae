import type { HealthCheck } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { GroupCommit } from '../db/group-commit.js';

/** Mail older than this still in the queue means mail is not leaving (SMTP down, refused, misconfigured). */
export const MAIL_QUEUE_MAX_AGE_MS = 5 * 60_000;
/** Health is unauthenticated: at most one probe write a second, however often it is asked. */
const PROBE_EVERY_MS = 1000;

export type Readiness = ReturnType<typeof createReadiness>;

/**
 * Readiness for a load balancer or monitoring: a real write through the group commit (so a full or
 * read-only disk shows), the age of the oldest unsent mail, and the event-loop delay.
 */
export function createReadiness(options: {
  db: Db;
  clock: Clock;
  writes: GroupCommit;
  mailBacklog: () => { oldestQueuedAt: number | null };
  eventLoopDelayMs: () => number;
  maxEventLoopDelayMs: number;
}) {
  const { db, clock, writes } = options;
  // A row in settings that read() ignores: rewriting it is the smallest real write there is, no table of its own needed.
  const probe = db.prepare<[string]>(
    "INSERT INTO settings (key, value) VALUES ('health.probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  let last: { at: number; result: Promise<HealthCheck> } | undefined;

  async function probeDatabase(): Promise<HealthCheck> {
    try {
      await writes.run(() => probe.run(String(clock.now())));
      return { name: 'database', ok: true };
    } catch {
      return { name: 'database', ok: false, detail: 'The database cannot be written (disk full, read-only or failing).' };
    }
  }

  function database(): Promise<HealthCheck> {
    const now = performance.now();
    if (!last || now - last.at >= PROBE_EVERY_MS) last = { at: now, result: probeDatabase() };
    return last.result;
  }

  function mailQueue(): HealthCheck {
    let oldest: number | null;
    try {
      oldest = options.mailBacklog().oldestQueuedAt;
    } catch {
      return { name: 'mail_queue', ok: false, detail: 'The mail queue cannot be read.' };
    }
    if (oldest === null) return { name: 'mail_queue', ok: true };
    const ageMinutes = Math.floor((clock.now() - oldest) / 60_000);
    if (clock.now() - oldest <= MAIL_QUEUE_MAX_AGE_MS) return { name: 'mail_queue', ok: true };
    return {
      name: 'mail_queue',
      ok: false,
      detail: `The oldest queued mail has waited ${ageMinutes} minutes (limit 5): mail is not leaving.`,
    };
  }

  function eventLoop(): HealthCheck {
    const delay = options.eventLoopDelayMs();
    if (options.maxEventLoopDelayMs === 0 || delay <= options.maxEventLoopDelayMs) return { name: 'event_loop', ok: true };
    return { name: 'event_loop', ok: false, detail: `The event loop lags ${Math.round(delay)} ms (limit ${options.maxEventLoopDelayMs}).` };
  }

  return {
    async check(): Promise<{ ok: boolean; checks: HealthCheck[] }> {
      const checks = [await database(), mailQueue(), eventLoop()];
      return { ok: checks.every((c) => c.ok), checks };
    },
  };
}

import type { HealthCheck } from '@latchkey/contracts';
import type { Clock } from '../clock.js';

/** Mail older than this still in the queue means mail is not leaving (SMTP down, refused, misconfigured). */
export const MAIL_QUEUE_MAX_AGE_MS = 5 * 60_000;
/** Health is unauthenticated: at most one probe write a second, however often it is asked. */
const PROBE_EVERY_MS = 1000;
/** A probe not answered within this long fails: a database that hangs (a network partition) is a database down. */
export const PROBE_TIMEOUT_MS = 3000;

export type Readiness = ReturnType<typeof createReadiness>;

/**
 * Readiness for a load balancer or monitoring: a real write through the storage engine (so a full or
 * read-only disk, a PostgreSQL that is down, unreachable or a read-only standby shows, and passes again
 * by itself when the database is back), the age of the oldest unsent mail, and the event-loop delay.
 */
export function createReadiness(options: {
  clock: Clock;
  /** A real write (the settings store's probe row): one writer per table. */
  probeWrite: (now: number) => Promise<void>;
  mailBacklog: () => Promise<{ oldestQueuedAt: number | null }>;
  eventLoopDelayMs: () => number;
  maxEventLoopDelayMs: number;
}) {
  const { clock } = options;
  let last: { at: number; result: Promise<HealthCheck> } | undefined;

  async function probeDatabase(): Promise<HealthCheck> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([options.probeWrite(clock.now()), timeout]);
      return { name: 'database', ok: true };
    } catch {
      return { name: 'database', ok: false, detail: 'The database cannot be written (disk full, read-only, unreachable or failing).' };
    } finally {
      clearTimeout(timer);
    }
  }

  function database(): Promise<HealthCheck> {
    const now = performance.now();
    if (!last || now - last.at >= PROBE_EVERY_MS) last = { at: now, result: probeDatabase() };
    return last.result;
  }

  async function mailQueue(): Promise<HealthCheck> {
    let oldest: number | null;
    try {
      oldest = (await options.mailBacklog()).oldestQueuedAt;
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
      const checks = [await database(), await mailQueue(), eventLoop()];
      return { ok: checks.every((c) => c.ok), checks };
    },
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditEvent } from '@latchkey/contracts';

/** Audit event types that mean an OTP went out, was accepted, or was refused. */
const ISSUED = new Set(['otp.issued', 'otp.generated', 'access_request.approved']);
const VERIFIED = new Set(['otp.verified']);
const REFUSED = new Set(['otp.verify_failed']);

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The Prometheus metrics (all `latchkey_`). The request path only increments counters; queue depth
 * and event-loop delay are read when Prometheus scrapes.
 */
export function createMetrics(sources: {
  /** LATCHKEY_NODE_NAME: `latchkey_node_info{node}` says which node Prometheus scraped. */
  nodeName: string;
  mailBacklog: () => Promise<{ pending: number; oldestQueuedAt: number | null }>;
  now: () => number;
  eventLoopDelayMs: () => number;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });

  new Gauge({
    name: 'latchkey_node_info',
    help: 'Always 1; its label names the node (LATCHKEY_NODE_NAME), to join with the other series of one target.',
    labelNames: ['node'] as const,
    registers: [registry],
  }).set({ node: sources.nodeName }, 1);

  const requests = new Counter({
    name: 'latchkey_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const issued = new Counter({ name: 'latchkey_otps_issued_total', help: 'One-time passwords issued.', registers: [registry] });
  const verified = new Counter({
    name: 'latchkey_otps_verified_total',
    help: 'One-time passwords verified (desktop unlocked).',
    registers: [registry],
  });
  const refused = new Counter({ name: 'latchkey_otps_refused_total', help: 'Verifications refused.', registers: [registry] });
  const auditEvents = new Counter({
    name: 'latchkey_audit_events_total',
    help: 'Audit events committed, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const commitGroups = new Histogram({
    name: 'latchkey_commit_group_size',
    help: 'Writes committed together in one transaction (one fsync).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  new Gauge({
    name: 'latchkey_mail_queue_depth',
    help: 'Mails queued and not yet sent.',
    registers: [registry],
    async collect() {
      this.set((await sources.mailBacklog()).pending);
    },
  });
  new Gauge({
    name: 'latchkey_mail_queue_oldest_age_seconds',
    help: 'Age of the oldest unsent mail (0 when none).',
    registers: [registry],
    async collect() {
      const oldest = (await sources.mailBacklog()).oldestQueuedAt;
      this.set(oldest === null ? 0 : Math.max(0, (sources.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'latchkey_event_loop_delay_seconds',
    help: 'Mean event-loop delay over the last second (what health and load shedding compare against).',
    registers: [registry],
    collect() {
      const delay = sources.eventLoopDelayMs();
      this.set(Number.isFinite(delay) ? delay / 1000 : 0);
    },
  });

  return {
    registry,
    request(method: string, route: string, status: number): void {
      requests.inc({ method, route, status: String(status) });
    },
    audit(events: AuditEvent[]): void {
      for (const event of events) {
        auditEvents.inc({ type: event.type });
        if (ISSUED.has(event.type)) issued.inc();
        else if (VERIFIED.has(event.type)) verified.inc();
        else if (REFUSED.has(event.type)) refused.inc();
      }
    },
    commitGroup(size: number): void {
      commitGroups.observe(size);
    },
  };
}

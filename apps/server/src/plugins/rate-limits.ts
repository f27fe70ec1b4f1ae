import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routes } from '@latchkey/contracts';
import { AppError } from '../app-error.js';

/** Budgets per address that a handler spends itself, where what counts is known only there. */
export interface AddressBudgets {
  /** GET /api/v1/openapi.json: every request. */
  openapi(request: FastifyRequest): Promise<void>;
  /**
   * Wrong metrics tokens. `check` refuses an address that has spent its budget, whatever token it
   * sends now (so 429 never tells a right guess from a wrong one); `fail` spends one.
   */
  metricsFailures: { check(request: FastifyRequest): Promise<void>; fail(request: FastifyRequest): Promise<void> };
  /**
   * Enrollments, with the right key and with a wrong one counted apart, so junk with wrong keys from
   * an address never stops the right key from it (an installer rollout behind one NAT address).
   */
  enrollment(request: FastifyRequest, rightKey: boolean): Promise<void>;
}

/**
 * One budget per Client across its endpoints (many Clients share an address behind NAT), one per
 * signed-in user for the Management Tool, and one per address for what has neither. The endpoints
 * open to anyone (enrollment, sign-in) each have their own budget per address: wrong enrollment keys
 * from an address must not use up that address's Management Tool sign-in, nor its right key.
 */
async function rateLimits(app: FastifyInstance) {
  const limits = app.config.rateLimits;
  const keyOf = (request: FastifyRequest): string => {
    const identity = request.identity;
    if (identity?.kind === 'client') return `client:${identity.client.id}`;
    if (identity?.kind === 'admin') return `admin:${identity.admin.login}`;
    const open = request.routeOptions.config.auth?.kind === 'none';
    return open ? `address:${request.ip}:${request.routeOptions.url ?? ''}` : `address:${request.ip}`;
  };
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: 60_000,
    keyGenerator: keyOf,
    max: (request) => {
      const key = keyOf(request);
      if (key.startsWith('client:')) return limits.clientPerMinute;
      if (key.startsWith('admin:')) return limits.adminPerMinute;
      return limits.anonymousPerMinute;
    },
    // Static files, the health probe and unknown URLs are not API work; enrollment spends its own budgets.
    allowList: (request) =>
      !request.routeOptions.config.auth || request.routeOptions.url === routes.health.url || request.routeOptions.url === routes.enroll.url,
    errorResponseBuilder: (_request, context) => rateLimited(context.ttl),
  });

  const budget = (name: string) => {
    const limiter = app.createRateLimit({
      timeWindow: 60_000,
      max: limits.anonymousPerMinute,
      keyGenerator: (request) => `address:${request.ip}:${name}`,
      allowList: () => false,
    });
    return async (request: FastifyRequest, increment = true) => {
      const spent = await limiter(request, { increment });
      if (spent.isAllowed) return;
      if (increment ? spent.isExceeded : spent.remaining === 0) throw rateLimited(spent.ttl);
    };
  };
  const openapi = budget('openapi');
  const metricsFailures = budget('metrics-failures');
  const enrollments = budget('enroll');
  const enrollmentFailures = budget('enroll-failures');
  const budgets: AddressBudgets = {
    openapi: (request) => openapi(request),
    metricsFailures: { check: (request) => metricsFailures(request, false), fail: (request) => metricsFailures(request) },
    enrollment: (request, rightKey) => (rightKey ? enrollments(request) : enrollmentFailures(request)),
  };
  app.decorate('budgets', budgets);
}

const rateLimited = (ttlMs: number) =>
  new AppError(429, 'rate_limited', 'Too many requests. Wait a moment and try again.', Math.max(1, Math.ceil(ttlMs / 1000)));

export default fp(rateLimits, { name: 'rate-limits', dependencies: ['auth'] });

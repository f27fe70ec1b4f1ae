import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routes } from '@latchkey/contracts';
import { AppError } from '../app-error.js';

/**
 * One budget per Client across its endpoints (many Clients share an address behind NAT), one per
 * signed-in user for the Management Tool, and one per address for what has neither. The endpoints
 * open to anyone (enrollment, sign-in) each have their own budget per address: wrong enrollment keys
 * from an address must not use up that address's Management Tool sign-in.
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
    // Static files, the health probe and unknown URLs are not API work.
    allowList: (request) => !request.routeOptions.config.auth || request.routeOptions.url === routes.health.url,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', 'Too many requests. Wait a moment and try again.', Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}

export default fp(rateLimits, { name: 'rate-limits', dependencies: ['auth'] });

import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { routes } from '@latchkey/contracts';
import { AppError } from '../app-error.js';
import { createReadiness } from '../health/readiness.js';

const RETRY_AFTER_SECONDS = 10;

/**
 * Event-loop pressure (@fastify/under-pressure) and the readiness checks behind GET /api/v1/health.
 * While the loop lags past the limit every other route is shed with 503; health itself still answers,
 * and says why.
 */
async function readiness(app: FastifyInstance) {
  await app.register(underPressure, {
    maxEventLoopDelay: app.config.maxEventLoopDelayMs,
    // A rejection goes to the error handler, which answers in the contract's error shape.
    pressureHandler: async (request) => {
      if (request.routeOptions.url === routes.health.url) return;
      throw new AppError(503, 'service_unavailable', 'The server is overloaded. Try again shortly.', RETRY_AFTER_SECONDS);
    },
  });
  app.decorate(
    'readiness',
    createReadiness({
      clock: app.clock,
      probeWrite: (now) => app.settings.probe(now),
      mailBacklog: () => app.mail.backlog(),
      eventLoopDelayMs: () => app.memoryUsage().eventLoopDelay,
      maxEventLoopDelayMs: app.config.maxEventLoopDelayMs,
    }),
  );
}

export default fp(readiness, { name: 'readiness', dependencies: ['services'] });

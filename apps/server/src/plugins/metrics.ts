import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../app-error.js';
import { equalSecrets } from '../crypto/tokens.js';
import { createMetrics } from '../metrics/metrics.js';

export const METRICS_URL = '/metrics';

/** GET /metrics for Prometheus, only when LATCHKEY_METRICS_TOKEN is set (otherwise 404 and no hooks at all). */
async function metrics(app: FastifyInstance) {
  const token = app.config.metricsToken;
  if (token === undefined) return;
  const m = createMetrics({
    nodeName: app.config.nodeName,
    mailBacklog: () => app.mail.backlog(),
    now: () => app.clock.now(),
    eventLoopDelayMs: () => app.memoryUsage().eventLoopDelay,
  });
  app.audit.follow((events) => m.audit(events));
  app.writes?.onGroup((size) => m.commitGroup(size));
  // The route pattern, never the raw URL: ids in paths would make a series per request.
  app.addHook('onResponse', async (request, reply) => {
    m.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  app.get(METRICS_URL, async (request, reply) => {
    // An address that sent too many wrong tokens is refused before its token is looked at.
    await app.budgets.metricsFailures.check(request);
    const header = request.headers.authorization ?? '';
    const sent = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!equalSecrets(sent, token)) {
      await app.budgets.metricsFailures.fail(request);
      reply.header('www-authenticate', 'Bearer realm="latchkey-metrics"');
      throw new AppError(401, 'unauthorized', 'Send the metrics token as a Bearer token.');
    }
    reply.header('content-type', m.registry.contentType);
    return m.registry.metrics();
  });
}

export default fp(metrics, { name: 'metrics', dependencies: ['services', 'readiness'] });

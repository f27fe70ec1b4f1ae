import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from './route-options.js';
import { SERVER_VERSION } from '../version.js';

export default async function healthRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.health),
    handler: async (_request, reply) => {
      const { ok, checks } = await app.readiness.check();
      const node = app.config.nodeName;
      if (ok) return { status: 'ok' as const, version: SERVER_VERSION, node, checks };
      const failing = checks.filter((c) => !c.ok).map((c) => c.name);
      return reply
        .code(503)
        .header('retry-after', '10')
        .send({
          error: { code: 'service_unavailable' as const, message: `Not ready: ${failing.join(', ')}.` },
          status: 'unavailable' as const,
          version: SERVER_VERSION,
          node,
          checks,
        });
    },
  });
}

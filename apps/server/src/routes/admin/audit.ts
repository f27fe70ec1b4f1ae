import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';

export default async function auditRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.listAudit),
    handler: async (request) => {
      const q = request.query;
      return app.audit.list({
        limit: Math.min(Number(q.limit ?? 100), 1000),
        ...(q.type ? { type: q.type } : {}),
        ...(q.computer ? { computer: q.computer } : {}),
        ...(q.user ? { user: q.user } : {}),
        ...(q.since ? { since: Number(q.since) } : {}),
        ...(q.until ? { until: Number(q.until) } : {}),
      });
    },
  });
}

import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';

export default async function adminSessionRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.listSessions),
    handler: async (request) => {
      const q = request.query;
      return app.sessions.list({
        ...(q.q ? { q: q.q } : {}),
        ...(q.active === undefined ? {} : { active: q.active === 'true' }),
        limit: Math.min(Number(q.limit ?? 100), 500),
        offset: Number(q.offset ?? 0),
      });
    },
  });

  app.route({
    ...routeOptions(routes.listSessionEvents),
    handler: async (request) => {
      const events = await app.sessions.activity(request.params.sessionId);
      if (!events) throw notFound('The session');
      return events;
    },
  });
}

import { NOT_RESPONDING_AFTER_MS, routes, type SessionState } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';

export default async function adminSessionRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.listSessions),
    handler: async (request) => {
      const q = request.query;
      const now = app.clock.now();
      const stateOf = (s: { endedAt: number | null; lastSeenAt: number }): SessionState =>
        s.endedAt !== null ? 'ended' : now - s.lastSeenAt > NOT_RESPONDING_AFTER_MS ? 'not_responding' : 'active';
      const sessions = await app.sessions.list({
        ...(q.q ? { q: q.q } : {}),
        ...(q.active === undefined ? {} : { active: q.active === 'true' }),
        limit: Math.min(Number(q.limit ?? 100), 500),
        offset: Number(q.offset ?? 0),
      });
      return sessions.map((s) => ({ ...s, state: stateOf(s) }));
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

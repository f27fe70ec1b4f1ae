import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { clientOf } from '../identity.js';
import { unlessRefused } from '../refusals.js';

export default async function sessionRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.heartbeat),
    handler: async (request, reply) =>
      reply.code(204).send(unlessRefused(await app.sessions.heartbeat(clientOf(request), request.params.sessionId)) ?? null),
  });

  app.route({
    ...routeOptions(routes.endSession),
    handler: async (request, reply) =>
      reply.code(204).send(unlessRefused(await app.sessions.end(clientOf(request), request.params.sessionId)) ?? null),
  });

  app.route({
    ...routeOptions(routes.relockSession),
    handler: async (request, reply) =>
      reply.code(204).send(unlessRefused(await app.sessions.relock(clientOf(request), request.params.sessionId)) ?? null),
  });

  // Hot path (every Client, all day): the batch joins the next group commit, one transaction for many Clients.
  app.route({
    ...routeOptions(routes.postSessionEvents),
    handler: async (request, reply) => {
      unlessRefused(await app.sessions.appendActivity(clientOf(request), request.params.sessionId, request.body.events));
      return reply.code(204).send(null);
    },
  });
}

import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { clientOf } from '../identity.js';

export default async function sessionRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.heartbeat),
    handler: async (request, reply) => {
      const client = clientOf(request);
      await app.writes.run(() => app.sessions.heartbeat(client, request.params.sessionId));
      return reply.code(204).send(null);
    },
  });

  app.route({
    ...routeOptions(routes.endSession),
    handler: async (request, reply) => {
      const client = clientOf(request);
      if (app.sessions.end(client, request.params.sessionId)) {
        app.audit.record({
          type: 'session.ended',
          clientId: client.id,
          computerName: client.computerName,
          detail: `session ${request.params.sessionId}`,
        });
      }
      return reply.code(204).send(null);
    },
  });

  app.route({
    ...routeOptions(routes.relockSession),
    handler: async (request, reply) => reply.code(204).send(await app.sessionRelock.relock(clientOf(request), request.params.sessionId)),
  });

  // Hot path (every Client, all day): the batch joins the next group commit, one transaction for many Clients.
  app.route({
    ...routeOptions(routes.postSessionEvents),
    handler: async (request, reply) => {
      const client = clientOf(request);
      await app.writes.run(() => app.activity.append(client, request.params.sessionId, request.body.events));
      return reply.code(204).send(null);
    },
  });
}

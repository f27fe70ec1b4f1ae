import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';
import { adminOf } from '../identity.js';

export default async function adminClientRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listClients), handler: async () => app.clients.list() });

  app.route({
    ...routeOptions(routes.listClientOsUsers),
    handler: async (request) => {
      if (!app.clients.get(request.params.clientId)) throw notFound('The Client');
      return app.otp.osUsersSeen(request.params.clientId);
    },
  });

  app.route({
    ...routeOptions(routes.patchClient),
    handler: async (request) => {
      const updated = app.clients.setAllowOtp(request.params.clientId, request.body.allowOneTimePasswords);
      if (!updated) throw notFound('The Client');
      app.audit.record({
        type: 'client.changed',
        actor: adminOf(request).login,
        clientId: updated.clientId,
        computerName: updated.computerName,
        detail: `allowOneTimePasswords: ${updated.allowOneTimePasswords}`,
      });
      return updated;
    },
  });

  app.route({
    ...routeOptions(routes.deleteClient),
    handler: async (request, reply) => {
      if (!app.clientRemoval.remove(request.params.clientId, adminOf(request).login)) throw notFound('The Client');
      return reply.code(204).send(null);
    },
  });
}

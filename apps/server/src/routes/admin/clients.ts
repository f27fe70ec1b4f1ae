import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';
import { adminOf } from '../identity.js';

const found = <T>(value: T | undefined): T => {
  if (value === undefined) throw notFound('The Client');
  return value;
};

export default async function adminClientRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listClients), handler: async () => app.clients.list() });

  app.route({
    ...routeOptions(routes.listClientOsUsers),
    handler: async (request) => {
      found(await app.clients.get(request.params.clientId));
      return app.otp.osUsersSeen(request.params.clientId);
    },
  });

  app.route({
    ...routeOptions(routes.patchClient),
    handler: async (request) =>
      found(await app.clients.setAllowOtp(request.params.clientId, request.body.allowOneTimePasswords, adminOf(request).login)),
  });

  app.route({
    ...routeOptions(routes.deleteClient),
    handler: async (request, reply) => {
      found(await app.clients.remove(request.params.clientId, adminOf(request).login));
      return reply.code(204).send(null);
    },
  });
}

import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';
import { adminOf } from '../identity.js';

export default async function lockoutRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listLockouts), handler: async () => app.lockouts.list() });

  app.route({
    ...routeOptions(routes.clearLockout),
    handler: async (request, reply) => {
      const { clientId, osUser } = request.body;
      if (!app.lockouts.clear(clientId, osUser)) throw notFound('The lockout');
      app.audit.record({ type: 'otp.lock_cleared', actor: adminOf(request).login, clientId, osUser });
      return reply.code(204).send(null);
    },
  });
}

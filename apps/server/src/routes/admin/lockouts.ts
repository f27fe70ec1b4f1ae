import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { notFound } from '../../app-error.js';
import { adminOf } from '../identity.js';

export default async function lockoutRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listLockouts), handler: async () => app.otp.listLockouts() });

  app.route({
    ...routeOptions(routes.clearLockout),
    handler: async (request, reply) => {
      const { clientId, osUser } = request.body;
      if (!(await app.otp.clearLockout(clientId, osUser, adminOf(request).login))) throw notFound('The lockout');
      return reply.code(204).send(null);
    },
  });
}

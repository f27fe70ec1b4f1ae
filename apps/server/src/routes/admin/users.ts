import { DEFAULT_USER_ROLE, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';
import { unlessRefused } from '../refusals.js';

export default async function userRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listUsers), handler: async () => app.users.list() });

  app.route({
    ...routeOptions(routes.createUser),
    handler: async (request, reply) =>
      reply
        .code(201)
        .send(
          unlessRefused(
            await app.users.create({ ...request.body, role: request.body.role ?? DEFAULT_USER_ROLE }, { actor: adminOf(request).login }),
          ),
        ),
  });

  app.route({
    ...routeOptions(routes.updateUser),
    handler: async (request) => unlessRefused(await app.users.update(request.params.login, request.body, adminOf(request).login)),
  });

  app.route({
    ...routeOptions(routes.deleteUser),
    handler: async (request, reply) => {
      unlessRefused(await app.users.delete(request.params.login, adminOf(request).login));
      return reply.code(204).send(null);
    },
  });
}

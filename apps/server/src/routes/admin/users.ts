import { DEFAULT_USER_ROLE, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';

export default async function userRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.listUsers), handler: async () => app.users.list() });

  app.route({
    ...routeOptions(routes.createUser),
    handler: async (request, reply) => {
      const user = await app.users.create({ ...request.body, role: request.body.role ?? DEFAULT_USER_ROLE });
      app.audit.record({ type: 'user.created', actor: adminOf(request).login, email: user.email, detail: `${user.login} as ${user.role}` });
      return reply.code(201).send(user);
    },
  });

  app.route({
    ...routeOptions(routes.updateUser),
    handler: async (request) => {
      const user = await app.users.update(request.params.login, request.body);
      const changed = Object.keys(request.body).join(', ');
      app.audit.record({ type: 'user.changed', actor: adminOf(request).login, email: user.email, detail: `${user.login}: ${changed}` });
      return user;
    },
  });

  app.route({
    ...routeOptions(routes.deleteUser),
    handler: async (request, reply) => {
      app.users.delete(request.params.login);
      app.audit.record({ type: 'user.deleted', actor: adminOf(request).login, detail: request.params.login });
      return reply.code(204).send(null);
    },
  });
}

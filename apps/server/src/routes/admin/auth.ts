import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { adminOf } from '../identity.js';
import { unlessRefused } from '../refusals.js';
import { isRefusal } from '../../refusal.js';
import { ADMIN_COOKIE } from '../../plugins/auth.js';

export default async function adminAuthRoutes(app: TypedApp) {
  const idleTimeoutSeconds = app.config.adminIdleSeconds;
  const secureCookie = app.config.publicUrl.startsWith('https:');

  app.route({
    ...routeOptions(routes.adminLogin),
    handler: async (request, reply) => {
      const { login, password } = request.body;
      const user = unlessRefused(
        await app.users.authenticate(login, password, { kind: 'address', address: request.ip }, (outcome) =>
          isRefusal(outcome)
            ? { type: 'admin.login_failed', actor: login, detail: `${outcome.refused} from ${request.ip}` }
            : outcome.role === 'user'
              ? { type: 'admin.login_failed', actor: outcome.login, detail: 'role user has no Management Tool access' }
              : undefined,
        ),
      );
      if (user.role === 'user') throw new AppError(403, 'forbidden', 'Your account cannot use the Management Tool.');
      const { token, csrfToken } = await app.users.openConsoleSession(user.login, request.ip);
      reply.setCookie(ADMIN_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: secureCookie,
        path: '/api/v1/admin',
        // The browser drops it when the server would refuse it anyway (browsers cap Max-Age at 400 days).
        maxAge: Math.min(app.config.adminMaxSessionSeconds, 400 * 86_400),
      });
      return { token, user: { login: user.login, role: user.role }, csrfToken, idleTimeoutSeconds };
    },
  });

  app.route({
    ...routeOptions(routes.adminMe),
    handler: async (request) => {
      const admin = adminOf(request);
      return { user: { login: admin.login, role: admin.role }, csrfToken: admin.csrfToken, idleTimeoutSeconds };
    },
  });

  app.route({
    ...routeOptions(routes.adminLogout),
    handler: async (request, reply) => {
      const admin = adminOf(request);
      await app.users.closeConsoleSession(admin);
      reply.clearCookie(ADMIN_COOKIE, { path: '/api/v1/admin' });
      return reply.code(204).send(null);
    },
  });
}

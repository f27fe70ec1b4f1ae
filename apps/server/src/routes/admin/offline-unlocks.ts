import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { adminOf } from '../identity.js';

export default async function offlineUnlockRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.offlineResponse),
    handler: async (request) => {
      if (!app.settings.get().allowOfflineUnlock) {
        throw new AppError(409, 'offline_unlock_disabled', 'Offline unlock is turned off in System Settings.');
      }
      const { osUser, challenge, reason } = request.body;
      const actor = adminOf(request).login;
      return app.offlineUnlocks.respond({
        clientId: request.params.clientId,
        osUser,
        challenge,
        actor,
        ...(reason?.trim() ? { reason: reason.trim() } : {}),
      });
    },
  });

  app.route({
    ...routeOptions(routes.rotateOfflineKey),
    handler: async (request) => app.offlineUnlocks.rotate(request.params.clientId, adminOf(request).login),
  });

  app.route({
    ...routeOptions(routes.listOfflineUnlocks),
    handler: async (request) => app.offlineUnlocks.list(Math.min(Number(request.query.limit ?? 200), 1000)),
  });
}

import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';
import { refusalError, unlessRefused } from '../refusals.js';

export default async function offlineUnlockRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.offlineResponse),
    handler: async (request) => {
      const { osUser, challenge, reason } = request.body;
      const actor = adminOf(request).login;
      return unlessRefused(
        await app.offlineUnlocks.respond({
          clientId: request.params.clientId,
          osUser,
          challenge,
          actor,
          ...(reason?.trim() ? { reason: reason.trim() } : {}),
        }),
      );
    },
  });

  app.route({
    ...routeOptions(routes.rotateOfflineKey),
    // v1.2 always refuses: no offline key goes through the server (offline-unlocks.ts says why).
    handler: async (request) => {
      throw refusalError(await app.offlineUnlocks.rotate(request.params.clientId, adminOf(request).login));
    },
  });

  app.route({
    ...routeOptions(routes.listOfflineUnlocks),
    handler: async (request) => app.offlineUnlocks.list(Math.min(Number(request.query.limit ?? 200), 1000)),
  });
}

import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';
import { AppError } from '../../app-error.js';
import { unlessRefused } from '../refusals.js';

export default async function settingsRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.getSettings), handler: async () => app.settings.get() });

  app.route({
    ...routeOptions(routes.putSettings),
    handler: async (request) => {
      // Every user would be told "the directory cannot be reached": refuse it while there is none.
      if (request.body.autoSendToDirectoryUsers === true && !app.directory) {
        throw new AppError(
          400,
          'directory_not_configured',
          'No directory is configured on this server (LATCHKEY_LDAP_URL), so one-time passwords cannot be sent to directory users.',
        );
      }
      return unlessRefused(await app.settings.update(request.body, adminOf(request).login));
    },
  });
}

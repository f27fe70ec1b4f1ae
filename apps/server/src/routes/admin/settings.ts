import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';
import { describeSettingsChange } from '../../settings/settings-words.js';

export default async function settingsRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.getSettings), handler: async () => app.settings.get() });

  app.route({
    ...routeOptions(routes.putSettings),
    handler: async (request) => {
      const before = app.settings.get();
      const after = app.settings.update(request.body);
      app.audit.record({ type: 'settings.changed', actor: adminOf(request).login, detail: describeSettingsChange(before, after) });
      return after;
    },
  });
}

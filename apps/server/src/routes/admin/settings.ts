import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';

export default async function settingsRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.getSettings), handler: async () => app.settings.get() });

  app.route({
    ...routeOptions(routes.putSettings),
    handler: async (request) => {
      const before = app.settings.get();
      const after = app.settings.update(request.body);
      const changed = Object.keys(request.body)
        .filter((k) => before[k as keyof typeof before] !== after[k as keyof typeof after])
        .map((k) => `${k}: ${String(before[k as keyof typeof before])} -> ${String(after[k as keyof typeof after])}`);
      app.audit.record({ type: 'settings.changed', actor: adminOf(request).login, detail: changed.join('; ') || 'no change' });
      return after;
    },
  });
}

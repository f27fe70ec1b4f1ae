import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from './route-options.js';
import { SERVER_VERSION } from '../version.js';

export default async function healthRoutes(app: TypedApp) {
  app.route({ ...routeOptions(routes.health), handler: async () => ({ status: 'ok' as const, version: SERVER_VERSION }) });
}

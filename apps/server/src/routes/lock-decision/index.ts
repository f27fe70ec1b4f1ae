import { routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { clientOf } from '../identity.js';

export default async function lockDecisionRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.lockDecision),
    handler: async (request) => app.lockDecisions.decide(clientOf(request), request.body),
  });
}

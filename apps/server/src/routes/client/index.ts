import { policyFromSettings, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { equalSecrets } from '../../crypto/tokens.js';
import { clientFor, clientOf } from '../identity.js';
import { unlessRefused } from '../refusals.js';

export default async function clientRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.enroll),
    handler: async (request, reply) => {
      const { enrollmentKey, computerName, role = 'lock' } = request.body;
      const rightKey = equalSecrets(enrollmentKey, app.enrollmentKey);
      await app.budgets.enrollment(request, rightKey);
      if (!rightKey) {
        await app.clients.enrollFailed(computerName, request.ip);
        throw new AppError(401, 'invalid_enrollment_key', 'The enrollment key is not correct.');
      }
      const enrolled = await app.clients.enroll(computerName, role, request.ip);
      return reply.code(201).send({ ...enrolled, serverPublicKey: app.signingKey.publicKey });
    },
  });

  app.route({
    ...routeOptions(routes.getPolicy),
    handler: async (request) => {
      const client = clientOf(request);
      const offline = unlessRefused(await app.offlineUnlocks.keyForPolicy(client));
      return { ...policyFromSettings(app.settings.get(), client.allowOtp, offline), computerName: client.computerName };
    },
  });

  app.route({
    ...routeOptions(routes.createUserToken),
    handler: async (request, reply) => reply.code(201).send(await app.clients.mintUserToken(clientOf(request), request.body.osUser)),
  });
}

export async function offlineReportRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.reportOfflineUnlock),
    handler: async (request, reply) =>
      reply.code(201).send(unlessRefused(await app.offlineUnlocks.report(clientFor(request, request.body.osUser), request.body))),
  });
}

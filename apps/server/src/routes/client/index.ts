import { policyFromSettings, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { equalSecrets } from '../../crypto/tokens.js';
import { clientFor, clientOf } from '../identity.js';

export default async function clientRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.enroll),
    handler: async (request, reply) => {
      const { enrollmentKey, computerName, role = 'lock' } = request.body;
      const rightKey = equalSecrets(enrollmentKey, app.enrollmentKey);
      await app.budgets.enrollment(request, rightKey);
      if (!rightKey) {
        app.audit.record({ type: 'client.enroll_failed', computerName, detail: `from ${request.ip}` });
        throw new AppError(401, 'invalid_enrollment_key', 'The enrollment key is not correct.');
      }
      const enrolled = app.db
        .transaction(() => {
          const client = app.clients.enroll(computerName, app.settings.get().defaultAllowOneTimePasswords, request.ip, role);
          // Offline unlock needs the guard (v1.2): only the installer's machine Client gets a key, kept in
          // the machine's protected folder for the guard. A profile's lock and a guard get none.
          const offlineKey = role === 'machine' ? app.offlineUnlocks.keyForEnrollment(client.clientId) : undefined;
          const detail = role === 'lock' ? `from ${request.ip}` : `${role}, from ${request.ip}`;
          app.audit.record({ type: 'client.enrolled', clientId: client.clientId, computerName, detail });
          return { ...client, ...(offlineKey ? { offlineKey } : {}) };
        })
        .immediate();
      return reply.code(201).send({ ...enrolled, serverPublicKey: app.signingKey.publicKey });
    },
  });

  app.route({
    ...routeOptions(routes.getPolicy),
    handler: async (request) => {
      const client = clientOf(request);
      const offline = app.offlineUnlocks.keyForPolicy(client);
      return { ...policyFromSettings(app.settings.get(), client.allowOtp, offline), computerName: client.computerName };
    },
  });

  app.route({
    ...routeOptions(routes.createUserToken),
    handler: async (request, reply) => reply.code(201).send(app.userTokens.mint(clientOf(request), request.body.osUser)),
  });
}

export async function offlineReportRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.reportOfflineUnlock),
    handler: async (request, reply) =>
      reply.code(201).send(app.offlineUnlocks.report(clientFor(request, request.body.osUser), request.body)),
  });
}

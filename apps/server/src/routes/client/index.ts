import { policyFromSettings, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { equalSecrets } from '../../crypto/tokens.js';
import { clientOf } from '../identity.js';

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
          // A guard unlocks nothing, so it gets no offline key.
          const offlineKey = role === 'guard' ? undefined : app.offlineUnlocks.keyForEnrollment(client.clientId);
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
      const held = request.query.offlineKeyVersion;
      const offline = app.offlineUnlocks.keyForPolicy(client, held === undefined ? undefined : Number(held));
      return { ...policyFromSettings(app.settings.get(), client.allowOtp, offline), computerName: client.computerName };
    },
  });
}

export async function offlineReportRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.reportOfflineUnlock),
    handler: async (request, reply) =>
      reply.code(201).send({ sessionId: app.offlineUnlocks.report(clientOf(request), request.body).sessionId }),
  });
}

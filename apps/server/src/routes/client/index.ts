import { policyFromSettings, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError } from '../../app-error.js';
import { equalSecrets } from '../../crypto/tokens.js';
import { clientOf } from '../identity.js';

export default async function clientRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.enroll),
    handler: async (request, reply) => {
      const { enrollmentKey, computerName } = request.body;
      if (!equalSecrets(enrollmentKey, app.enrollmentKey)) {
        app.audit.record({ type: 'client.enroll_failed', computerName, detail: `from ${request.ip}` });
        throw new AppError(401, 'invalid_enrollment_key', 'The enrollment key is not correct.');
      }
      const enrolled = app.clients.enroll(computerName, app.settings.get().defaultAllowOneTimePasswords);
      app.audit.record({ type: 'client.enrolled', clientId: enrolled.clientId, computerName, detail: `from ${request.ip}` });
      return reply.code(201).send(enrolled);
    },
  });

  app.route({
    ...routeOptions(routes.getPolicy),
    handler: async (request) => {
      const client = clientOf(request);
      return { ...policyFromSettings(app.settings.get(), client.allowOtp), computerName: client.computerName };
    },
  });
}

import { routes, unlockedSessionsMessage } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { clientFor, clientOf } from '../identity.js';

/**
 * A session counts as unlocked for the guard while it is open and its lock was heard from within
 * this long (heartbeats come every minute). A lock killed after unlock stops heartbeats, so the
 * guard brings the lock back once this has passed.
 */
export const UNLOCKED_SEEN_WITHIN_MS = 5 * 60_000;

export default async function verdictRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.reportVerdictFailures),
    handler: async (request, reply) => {
      const client = clientOf(request);
      // A per-user token reports its own osUser's refusals only (403 os_user_mismatch otherwise).
      for (const failure of request.body.failures) clientFor(request, failure.osUser);
      await app.sessions.reportVerdictFailures(client, request.body.failures);
      return reply.code(204).send(null);
    },
  });

  app.route({
    ...routeOptions(routes.getUnlockedSessions),
    handler: async (request) => {
      const client = clientOf(request);
      const time = app.clock.now();
      const sessions = await app.sessions.unlockedOn(client.computerName, time - UNLOCKED_SEEN_WITHIN_MS);
      const { nonce } = request.query;
      const fields = { clientId: client.id, computerName: client.computerName, nonce, time, sessions };
      return { ...fields, signature: await app.signingKey.sign(unlockedSessionsMessage(fields)) };
    },
  });

  app.route({
    ...routeOptions(routes.getServerKey),
    handler: async () => ({ algorithm: 'Ed25519' as const, publicKey: app.signingKey.publicKey, fingerprint: app.signingKey.fingerprint }),
  });
}

import { MAX_STATUS_WAIT_SECONDS, routes } from '@latchkey/contracts';
import { signVerdict } from '../../crypto/verdicts.js';
import { routeOptions, type TypedApp } from '../route-options.js';
import { accessDenied } from '../../app-error.js';
import { clientFor, clientOf } from '../identity.js';
import { actsFor } from '../../clients/client-store.js';
import { unlessRefused } from '../refusals.js';

export default async function otpRoutes(app: TypedApp) {
  app.route({
    ...routeOptions(routes.createOtpRequest),
    handler: async (request, reply) =>
      reply.code(201).send(unlessRefused(await app.requestOtp(clientFor(request, request.body.osUser), request.body))),
  });

  app.route({
    ...routeOptions(routes.getOtpRequest),
    handler: async (request, reply) => {
      const holder = clientOf(request);
      const { requestId } = request.params;
      const now = unlessRefused(await app.otp.getState(holder, requestId));
      // Long-poll: a request waiting for a person is answered when it is decided (or after waitSeconds).
      const waitSeconds = Math.min(Number(request.query.waitSeconds ?? 0), MAX_STATUS_WAIT_SECONDS);
      if (now.status !== 'pending' || waitSeconds === 0) return now;
      await app.requestWatch.wait(requestId, waitSeconds * 1000, reply.raw);
      // Woken by the shutdown: a connection kept alive after this answer would hold the close up.
      if (app.requestWatch.closing) reply.header('connection', 'close');
      return unlessRefused(await app.otp.getState(holder, requestId));
    },
  });

  app.route({
    ...routeOptions(routes.cancelOtpRequest),
    handler: async (request) => unlessRefused(await app.otp.cancel(clientOf(request), request.params.requestId)),
  });

  app.route({
    ...routeOptions(routes.resendOtp),
    handler: async (request, reply) =>
      reply.code(202).send(unlessRefused(await app.otp.resend(clientOf(request), request.params.requestId))),
  });

  app.route({
    ...routeOptions(routes.verifyOtp),
    handler: async (request) => {
      const client = clientOf(request);
      // A per-user token naming another osUser fails as every failed verify does (no query spent on it).
      if (!actsFor(client, request.body.osUser)) throw accessDenied();
      const outcome = await app.otp.verify(client, request.body);
      if (!outcome.allowed) throw accessDenied();
      const { osUser, nonce } = request.body;
      const verdict = await signVerdict(app.signingKey, app.clock, { clientId: client.id, osUser, nonce, sessionId: outcome.sessionId });
      return { allowed: true as const, sessionId: outcome.sessionId, verdict, ...(request.body.includeVia ? { via: outcome.via } : {}) };
    },
  });
}

import { MAX_STATUS_WAIT_SECONDS, allowedRequestMethods, routes, type OtpRequestBody } from '@latchkey/contracts';
import { signVerdict } from '../../crypto/verdicts.js';
import { resolveLocale } from '@latchkey/i18n';
import { routeOptions, type TypedApp } from '../route-options.js';
import { AppError, accessDenied } from '../../app-error.js';
import { clientFor, clientOf } from '../identity.js';
import { actsFor } from '../../clients/client-store.js';
import type { ClientRow } from '../../clients/client-store.js';
import type { AuthenticatedUser } from '../../users/user-service.js';
import { unlessRefused } from '../refusals.js';
import { isRefusal } from '../../refusal.js';

/** The language of every mail about the request: the lock's `locale`, a supported one or English. */
const mailLocale = (body: OtpRequestBody) => resolveLocale(body.locale);

const methodNotAllowed = (what: string) =>
  new AppError(403, 'method_not_allowed', `${what} is not enabled on this server. Use the options the lock window shows.`);

export default async function otpRoutes(app: TypedApp) {
  async function internalUser(client: ClientRow, body: OtpRequestBody): Promise<AuthenticatedUser> {
    if (!body.login || !body.password) throw new AppError(400, 'invalid_request', 'Enter your login name and password.');
    const where = { type: 'internal_user.lookup', clientId: client.id, computerName: client.computerName, osUser: body.osUser } as const;
    const login = body.login;
    return unlessRefused(
      await app.users.authenticate(login, body.password, { kind: 'client', clientId: client.id }, (outcome) =>
        isRefusal(outcome)
          ? { ...where, detail: `${outcome.refused} for login ${login}` }
          : { ...where, email: outcome.email, detail: `found ${outcome.login}` },
      ),
    );
  }

  app.route({
    ...routeOptions(routes.createOtpRequest),
    handler: async (request, reply) => {
      const body = request.body;
      const client = clientFor(request, body.osUser);
      if (!client.allowOtp) throw new AppError(403, 'otp_not_allowed', 'One-time passwords are not allowed on this computer.');
      const settings = app.settings.get();

      if (body.method === 'email' || body.method === 'emergency') {
        if (!allowedRequestMethods(settings).has(body.method)) {
          throw methodNotAllowed('Requesting by email address');
        }
        if (!body.email) throw new AppError(400, 'invalid_request', 'Enter your email address.');
        const state = await app.otp.requestApproval(client, {
          osUser: body.osUser,
          email: body.email,
          method: body.method,
          reason: body.reason ?? null,
          relockOf: body.relockOf,
          locale: mailLocale(body),
        });
        return reply.code(201).send(unlessRefused(state));
      }
      if (body.method === 'directory') {
        if (!allowedRequestMethods(settings).has('directory')) throw methodNotAllowed('Automatic sending to Active Directory users');
        const { email } = unlessRefused(await app.directoryEmail(client, body.osUser));
        return reply.code(201).send(
          unlessRefused(
            await app.otp.issueNow(client, {
              osUser: body.osUser,
              email,
              method: 'directory',
              relockOf: body.relockOf,
              locale: mailLocale(body),
            }),
          ),
        );
      }
      if (!allowedRequestMethods(settings).has('internal')) throw methodNotAllowed('Automatic sending to internal users');
      const user = await internalUser(client, body);
      return reply.code(201).send(
        unlessRefused(
          await app.otp.issueNow(client, {
            osUser: body.osUser,
            email: user.email,
            method: 'internal',
            user,
            relockOf: body.relockOf,
            locale: mailLocale(body),
          }),
        ),
      );
    },
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

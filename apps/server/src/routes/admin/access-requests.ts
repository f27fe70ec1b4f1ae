import { ACCESS_REQUESTS_TOTAL_HEADER, normaliseRequestReference, routes } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { adminOf } from '../identity.js';
import { unlessRefused } from '../refusals.js';
import { createApproverContext } from '../../otp/approver-context.js';

export default async function accessRequestRoutes(app: TypedApp) {
  const withContext = createApproverContext({
    emailsVerifiedBy: app.otp.emailsVerifiedBy,
    linkedUserEmails: app.users.linkedEmails,
    directory: () => app.directory,
    now: () => app.clock.now(),
  });
  /** The acting staff member and their own mailbox, which they may not send an OTP to. */
  const approverOf = async (request: Parameters<typeof adminOf>[0]) => {
    const { login } = adminOf(request);
    return { login, email: (await app.users.get(login))?.email ?? '' };
  };
  const one = async (request: Parameters<typeof withContext>[0][number]) => (await withContext([request]))[0]!;

  app.route({
    ...routeOptions(routes.listAccessRequests),
    handler: async (request, reply) => {
      const { status, limit, reference } = request.query;
      if (reference !== undefined) {
        // What the user read out on the phone: that one request, or none (a typo finds nothing, never another's).
        const normalised = normaliseRequestReference(reference);
        const found = normalised === null ? undefined : await app.otp.findByReference(normalised);
        const rows = found && (!status || found.status === status) ? [found] : [];
        reply.header(ACCESS_REQUESTS_TOTAL_HEADER, String(rows.length));
        return withContext(rows);
      }
      const query = status ? { status } : {};
      reply.header(ACCESS_REQUESTS_TOTAL_HEADER, String(await app.otp.countAccessRequests(query)));
      return withContext(await app.otp.listAccessRequests({ ...query, limit: Math.min(Number(limit ?? 200), 1000) }));
    },
  });

  app.route({
    ...routeOptions(routes.approveAccessRequest),
    handler: async (request) =>
      one(unlessRefused(await app.otp.approve(request.params.requestId, await approverOf(request), request.body.comment ?? null))),
  });

  app.route({
    ...routeOptions(routes.denyAccessRequest),
    handler: async (request) =>
      one(unlessRefused(await app.otp.deny(request.params.requestId, adminOf(request).login, request.body.comment ?? null))),
  });

  app.route({
    ...routeOptions(routes.generateOtp),
    handler: async (request, reply) => {
      const { clientId, osUser, email, comment } = request.body;
      const generated = await app.otp.generate(
        await app.clients.get(clientId),
        { osUser, email, comment: comment ?? null },
        await approverOf(request),
      );
      return reply.code(201).send(unlessRefused(generated));
    },
  });
}

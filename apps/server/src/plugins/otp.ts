import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { REQUEST_CHANNEL, createOtpService } from '../otp/otp-service.js';
import { createRequestWatch } from '../otp/request-watch.js';
import { createRequestOtp } from '../otp/request-methods.js';

/** Requests by method, issuing, access-request decisions and verification; held status long-polls woken from any node. */
async function otp(app: FastifyInstance) {
  const { config, clock, engine, keys, stores } = app;
  app.decorate(
    'otp',
    createOtpService({
      engine,
      clock,
      keys,
      settings: stores.settings,
      audit: stores.audit,
      requests: stores.requests,
      mail: app.mail,
      clients: stores.clients,
      sessions: stores.sessions,
      lockouts: stores.lockouts,
      staffEmails: () => app.users.store.staffEmails(),
      consoleUrl: `${config.publicUrl}/console/`,
      timeZone: config.timeZone,
    }),
  );

  app.decorate(
    'requestOtp',
    createRequestOtp({ otp: app.otp, users: app.users, directoryEmail: app.directoryEmail, settings: app.settings }),
  );

  // Held status long-polls on this node hear a decision made on any node.
  const requestWatch = createRequestWatch();
  const listening = await engine.listen(
    REQUEST_CHANNEL,
    (requestId) => requestWatch.notify(requestId),
    // Back after a lost connection: what was decided meanwhile was not heard, so every waiter looks again.
    () => requestWatch.wakeAll(),
  );
  app.decorate('requestWatch', requestWatch);
  // Held status long-polls answer at once, so closing never waits for them.
  app.addHook('preClose', async () => requestWatch.close());
  app.addHook('onClose', async () => listening.unlisten().catch(() => {}));
}

export default fp(otp, { name: 'otp', dependencies: ['stores', 'mail', 'users', 'directory'] });

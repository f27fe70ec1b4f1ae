import fp from 'fastify-plugin';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createMailQueue } from '../mail/mail-queue.js';
import { createOutboxTransport, createSmtpTransport } from '../mail/mail-transport.js';

/** The durable mail queue and its worker (SMTP, or the data dir's outbox without LATCHKEY_SMTP_URL). */
async function mail(app: FastifyInstance) {
  const { config, clock, engine, keys } = app;
  const transport = config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.mailFrom, { ca: config.smtpCa })
    : createOutboxTransport(join(config.dataDir, 'outbox'), config.mailFrom, app.log);
  const queue = createMailQueue({ engine, clock, sealKey: keys.seal, transport, logger: app.log });
  app.decorate('mail', queue);
  // One SQLite server owns its queue; nodes on PostgreSQL leave each other's leases alone.
  app.addHook('onReady', async () => queue.start(engine.kind === 'sqlite'));
  app.addHook('onClose', async () => queue.stop());
}

export default fp(mail, { name: 'mail', dependencies: ['storage'] });

import fp from 'fastify-plugin';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { formatAuditEvent } from '../syslog/rfc5424.js';
import { createSyslogSender } from '../syslog/syslog-sender.js';

/** With LATCHKEY_SYSLOG_URL, every committed audit event also goes to the SIEM as RFC 5424. */
async function syslog(app: FastifyInstance) {
  const target = app.config.syslog;
  if (!target) return;
  const sender = createSyslogSender(target, app.log);
  const origin = { hostname: hostname(), procId: process.pid };
  app.audit.follow((events) => {
    for (const event of events) sender.send(formatAuditEvent(event, origin));
  });
  app.addHook('onClose', async () => sender.close());
}

export default fp(syslog, { name: 'syslog', dependencies: ['services'] });

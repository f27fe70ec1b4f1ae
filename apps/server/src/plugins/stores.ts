import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { bind } from '../db/bind.js';
import { createSettings } from '../settings/settings-store.js';
import { auditStore } from '../audit/audit-log.js';
import { clientStore } from '../clients/client-store.js';
import { requestStore } from '../otp/request-store.js';
import { lockoutStore } from '../otp/lockout-store.js';
import { sessionStore } from '../sessions/session-store.js';
import { activityStore } from '../activity/activity-store.js';

/**
 * The stores, each the one writer of its tables, for the domain plugins to compose; the settings
 * (kept in memory, read again when any node changes them) and the audit log (bound for routes).
 */
async function stores(app: FastifyInstance) {
  const { clock, engine } = app;
  const audit = auditStore(clock);
  const settings = await createSettings(engine, audit);
  app.decorate('stores', {
    audit,
    clients: clientStore(clock),
    sessions: sessionStore(clock),
    requests: requestStore(clock, settings),
    lockouts: lockoutStore(clock),
    activity: activityStore(clock),
    settings,
  });
  app.decorate('settings', settings);
  app.decorate('audit', bind(engine, audit, ['list']));
  // Followers (syslog, metrics) attach as their plugins register; what the start recorded reached them.
  app.addHook('onReady', async () => audit.started());
  app.addHook('onClose', async () => settings.close().catch(() => {}));
}

export default fp(stores, { name: 'stores', dependencies: ['storage'] });

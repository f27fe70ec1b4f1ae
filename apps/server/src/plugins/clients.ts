import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createClientService } from '../clients/client-service.js';
import { createOfflineUnlocks } from '../offline/offline-unlocks.js';
import { createSessionService } from '../sessions/session-service.js';

/** Clients (enrollment, tokens, removal), their offline unlocks and their sessions. */
async function clients(app: FastifyInstance) {
  const { clock, engine, keys, stores } = app;
  const { audit, settings, clients: clientRows, sessions, requests, activity } = stores;
  const offlineUnlocks = createOfflineUnlocks({ engine, clock, sealKey: keys.seal, audit, settings, clients: clientRows, sessions });
  app.decorate('offlineUnlocks', offlineUnlocks);
  app.decorate('clients', createClientService({ engine, clients: clientRows, requests, sessions, audit, settings, offlineUnlocks }));
  app.decorate('sessions', createSessionService({ engine, sessions, activity, audit }));
}

export default fp(clients, { name: 'clients', dependencies: ['stores'] });

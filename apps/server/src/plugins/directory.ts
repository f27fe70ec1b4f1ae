import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createDirectory } from '../directory/index.js';
import { createDirectoryEmail } from '../directory/directory-email.js';
import { createLockDecisions } from '../settings/lock-decision.js';
import { DEFAULT_TIMEOUT_MS } from '../directory/directory-config.js';

/**
 * The directory (the `directory` method's lookup, exempt directory groups) when LATCHKEY_LDAP_URL
 * is set, the `directory` method's audited email lookup, and the lock-decision that uses it.
 */
async function directory(app: FastifyInstance) {
  const config = app.config.directory;
  const dir = config ? createDirectory(config) : undefined;
  app.decorate('directory', dir);
  if (dir) app.addHook('onClose', async () => dir.close());
  app.decorate('directoryEmail', createDirectoryEmail({ directory: dir, audit: app.audit, log: app.log }));
  app.decorate(
    'lockDecisions',
    createLockDecisions({
      clock: app.clock,
      settings: app.settings,
      sessions: app.stores.sessions,
      audit: app.stores.audit,
      engine: app.engine,
      signingKey: app.signingKey,
      directory: dir,
      directoryTimeoutMs: config?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      log: app.log,
    }),
  );
}

export default fp(directory, { name: 'directory', dependencies: ['stores'] });

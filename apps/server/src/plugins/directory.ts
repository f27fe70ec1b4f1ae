import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createDirectory } from '../directory/index.js';

/** The Active Directory lookup of the `directory` method, when LATCHKEY_LDAP_URL is set. */
async function directory(app: FastifyInstance) {
  const config = app.config.directory;
  const dir = config ? createDirectory(config) : undefined;
  app.decorate('directory', dir);
  if (dir) app.addHook('onClose', async () => dir.close());
}

export default fp(directory, { name: 'directory', dependencies: ['services'] });

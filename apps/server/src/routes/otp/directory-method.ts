import type { FastifyInstance } from 'fastify';
import { AppError } from '../../app-error.js';
import type { ClientRow } from '../../clients/client-store.js';

/**
 * The `directory` method: the email of osUser in Active Directory. Until a directory is configured
 * (LATCHKEY_LDAP_URL), the lookup cannot be made and the answer says so.
 */
export async function resolveDirectoryEmail(app: FastifyInstance, client: ClientRow, osUser: string): Promise<string> {
  app.audit.record({ type: 'directory.lookup', clientId: client.id, computerName: client.computerName, osUser, detail: 'directory not configured' });
  throw new AppError(503, 'directory_unavailable', 'The directory cannot be reached. Use "I need emergency access to computer" instead.');
}

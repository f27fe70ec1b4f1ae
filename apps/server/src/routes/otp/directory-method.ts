import type { FastifyInstance } from 'fastify';
import { AppError } from '../../app-error.js';
import type { ClientRow } from '../../clients/client-store.js';
import { DirectoryUnavailableError, type DirectoryLookup } from '../../directory/index.js';

const EMERGENCY_HINT = 'Tick "I need emergency access to computer" to ask the helpdesk instead.';

const REFUSALS: Record<Exclude<DirectoryLookup['kind'], 'found'>, AppError> = {
  not_found: new AppError(404, 'directory_user_not_found', `Your account was not found in the directory. ${EMERGENCY_HINT}`),
  disabled: new AppError(403, 'directory_user_disabled', `Your directory account is disabled. ${EMERGENCY_HINT}`),
  no_mail: new AppError(422, 'directory_user_no_mail', `Your directory account has no email address. ${EMERGENCY_HINT}`),
  ambiguous: new AppError(409, 'directory_user_ambiguous', `More than one directory account matches your user name. ${EMERGENCY_HINT}`),
};

/**
 * The `directory` method: the email of osUser in Active Directory. Every outcome is audited; nothing
 * is sent unless exactly one enabled account with a valid email was found.
 */
export async function resolveDirectoryEmail(app: FastifyInstance, client: ClientRow, osUser: string): Promise<string> {
  const audit = (detail: string, email: string | null = null) =>
    app.audit.record({ type: 'directory.lookup', clientId: client.id, computerName: client.computerName, osUser, email, detail });
  const unavailable = new AppError(503, 'directory_unavailable', `The directory cannot be reached right now. ${EMERGENCY_HINT}`);

  if (!app.directory) {
    await audit('directory not configured (LATCHKEY_LDAP_URL unset)');
    throw unavailable;
  }
  let result: DirectoryLookup;
  try {
    result = await app.directory.lookupEmail(osUser);
  } catch (err) {
    if (!(err instanceof DirectoryUnavailableError)) throw err;
    app.log.warn({ reason: err.message }, 'directory unavailable');
    await audit(`directory unavailable: ${err.message}`);
    throw unavailable;
  }
  if (result.kind === 'found') {
    await audit(`found ${result.dn}`, result.email);
    return result.email;
  }
  await audit(result.kind === 'ambiguous' ? `ambiguous: ${result.count} entries matched` : result.kind.replace('_', ' '));
  throw REFUSALS[result.kind];
}

import type { FastifyBaseLogger } from 'fastify';
import type { AuditStore } from '../audit/audit-log.js';
import type { Bound } from '../db/bind.js';
import type { ClientRow } from '../clients/client-store.js';
import type { Refusal } from '../refusal.js';
import { DirectoryUnavailableError, type Directory, type DirectoryLookup } from './index.js';

export type DirectoryEmail = ReturnType<typeof createDirectoryEmail>;

/**
 * The `directory` method: the email of osUser in Active Directory, or why there is none. Every
 * outcome is audited; nothing may be sent unless exactly one enabled account with a valid email was found.
 */
export function createDirectoryEmail(deps: { directory: Directory | undefined; audit: Bound<AuditStore>; log: FastifyBaseLogger }) {
  const { directory, audit, log } = deps;
  const unavailable: Refusal = { refused: 'directory_unavailable' };

  return async (client: ClientRow, osUser: string): Promise<{ email: string } | Refusal> => {
    const record = (detail: string, email: string | null = null) =>
      audit.record({ type: 'directory.lookup', clientId: client.id, computerName: client.computerName, osUser, email, detail });
    if (!directory) {
      await record('directory not configured (LATCHKEY_LDAP_URL unset)');
      return unavailable;
    }
    let result: DirectoryLookup;
    try {
      result = await directory.lookupEmail(osUser);
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      log.warn({ reason: err.message }, 'directory unavailable');
      await record(`directory unavailable: ${err.message}`);
      return unavailable;
    }
    if (result.kind === 'found') {
      await record(`found ${result.dn}`, result.email);
      return { email: result.email };
    }
    await record(result.kind === 'ambiguous' ? `ambiguous: ${result.count} entries matched` : result.kind.replace('_', ' '));
    return { refused: 'directory_user', kind: result.kind };
  };
}

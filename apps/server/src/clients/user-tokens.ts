import type { Db } from '../db/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientRow, ClientStore } from './client-store.js';

export type UserTokens = ReturnType<typeof createUserTokens>;

/**
 * Per-user tokens (v1.2): the guard asks for one per osUser and hands it to that user's lock, so what
 * a user can read acts for that user only. The token is answered once and kept as its hash; it dies
 * with its Client. Minting is audited in its transaction.
 */
export function createUserTokens(deps: { db: Db; clients: ClientStore; audit: AuditLog }) {
  const { db, clients, audit } = deps;
  return {
    mint: (client: ClientRow, osUser: string): { clientToken: string; osUser: string } =>
      db
        .transaction(() => {
          const minted = clients.mintUserToken(client.id, osUser);
          audit.record({
            type: 'client.user_token_created',
            clientId: client.id,
            computerName: client.computerName,
            osUser,
            detail: `asked with the ${client.role} token`,
          });
          return minted;
        })
        .immediate(),
  };
}

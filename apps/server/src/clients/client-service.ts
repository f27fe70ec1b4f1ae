import type { AdminClient, ClientRole, OfflineKey } from '@latchkey/contracts';
import { READ_COMMITTED, type Engine } from '../db/engine.js';
import type { AuditStore } from '../audit/audit-log.js';
import type { RequestStore } from '../otp/request-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { OfflineUnlocks } from '../offline/offline-unlocks.js';
import type { ClientRow, ClientStore } from './client-store.js';

export type ClientService = ReturnType<typeof createClientService>;

const REMOVED_COMMENT = 'The computer was removed from Latchkey.';

/**
 * What happens to Clients, each change in one transaction with its audit event: enrollment,
 * per-user tokens, the OTP switch and removal. Tokens are checked on every call (`authenticate`).
 */
export function createClientService(deps: {
  engine: Engine;
  clients: ClientStore;
  requests: RequestStore;
  sessions: SessionStore;
  audit: AuditStore;
  settings: SettingsStore;
  offlineUnlocks: Pick<OfflineUnlocks, 'keyForEnrollment'>;
}) {
  const { engine, clients, requests, sessions, audit, settings } = deps;

  return {
    /** The Client holding `token` (a read); "last seen" is refreshed at most once a minute, grouped with other writes. */
    async authenticate(token: string): Promise<ClientRow | undefined> {
      const found = await engine.read(() => clients.authenticate(token));
      if (found?.seenDue) await engine.write(() => clients.markSeen(found.client.id), READ_COMMITTED);
      return found?.client;
    },

    get: (clientId: string): Promise<ClientRow | undefined> => engine.read(() => clients.get(clientId)),
    list: (): Promise<AdminClient[]> => engine.read(() => clients.list()),

    /**
     * A new Client. Offline unlock needs the guard (v1.2): only the installer's machine Client gets a
     * key, kept in the machine's protected folder for the guard. A profile's lock and a guard get none.
     */
    enroll: (
      computerName: string,
      role: ClientRole,
      fromAddress: string,
    ): Promise<{ clientId: string; clientToken: string; offlineKey?: OfflineKey }> =>
      engine.write(function* () {
        const client = yield* clients.enroll(computerName, settings.get().defaultAllowOneTimePasswords, fromAddress, role);
        const offlineKey = role === 'machine' ? yield* deps.offlineUnlocks.keyForEnrollment(client.clientId) : undefined;
        const detail = role === 'lock' ? `from ${fromAddress}` : `${role}, from ${fromAddress}`;
        yield* audit.record({ type: 'client.enrolled', clientId: client.clientId, computerName, detail });
        return { ...client, ...(offlineKey ? { offlineKey } : {}) };
      }),

    enrollFailed: (computerName: string, fromAddress: string): Promise<void> =>
      engine.write(() => audit.record({ type: 'client.enroll_failed', computerName, detail: `from ${fromAddress}` })),

    /**
     * Per-user tokens (v1.2): the guard asks for one per osUser and hands it to that user's lock, so
     * what a user can read acts for that user only. The token is answered once and kept as its hash;
     * it dies with its Client.
     */
    mintUserToken: (client: ClientRow, osUser: string): Promise<{ clientToken: string; osUser: string }> =>
      engine.write(function* () {
        const minted = yield* clients.mintUserToken(client.id, osUser);
        yield* audit.record({
          type: 'client.user_token_created',
          clientId: client.id,
          computerName: client.computerName,
          osUser,
          detail: `asked with the ${client.role} token`,
        });
        return minted;
      }),

    setAllowOtp: (clientId: string, allow: boolean, actor: string): Promise<AdminClient | undefined> =>
      engine.write(function* () {
        const updated = yield* clients.setAllowOtp(clientId, allow);
        if (!updated) return undefined;
        yield* audit.record({
          type: 'client.changed',
          actor,
          clientId,
          computerName: updated.computerName,
          detail: `allowOneTimePasswords: ${updated.allowOneTimePasswords}`,
        });
        return updated;
      }),

    /**
     * Removing a rogue or retired Client, in one transaction: the Client is marked removed (its token
     * and per-user tokens are refused from then on), its pending access requests are denied so no
     * approver issues an OTP to it, its open sessions end (so none stays unlocked for the guard), and
     * the audit event is written with the change. Undefined when there is no live Client with this id.
     */
    remove: (clientId: string, actor: string): Promise<AdminClient | undefined> =>
      engine.write(function* () {
        const removed = yield* clients.remove(clientId, actor);
        if (!removed) return undefined;
        const denied = yield* requests.denyAllPendingOf(clientId, actor, REMOVED_COMMENT);
        const ended = yield* sessions.endAllOf(clientId);
        yield* audit.record({
          type: 'client.removed',
          actor,
          clientId,
          computerName: removed.computerName,
          detail: `enrolled from ${removed.enrolledFromAddress ?? 'an unrecorded address'}; ${denied.length} pending request(s) denied; ${ended} open session(s) ended`,
        });
        return removed;
      }),
  };
}

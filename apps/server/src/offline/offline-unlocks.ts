import { randomBytes } from 'node:crypto';
import {
  OFFLINE_CHALLENGE_LENGTH,
  OFFLINE_CHALLENGE_MINUTES,
  base64UrlToBytes,
  computeOfflineResponse,
  deriveOfflineUserKey,
  isOfflineCode,
  normalizeOfflineCode,
  type OfflineKey,
  type OfflineResponseResult,
  type OfflineUnlockRecord,
  type OfflineUnlockReport,
} from '@latchkey/contracts';
import { all, get, run, sql, type Engine, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import type { AuditStore } from '../audit/audit-log.js';
import { speaksForComputer, type ClientRow, type ClientStore, type OfflineKeyRow } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Refusal } from '../refusal.js';
import { newId } from '../crypto/tokens.js';
import { seal, unseal } from '../crypto/seal.js';
import { nodeHmacSha256 } from './offline-hmac.js';

export type OfflineUnlocks = ReturnType<typeof createOfflineUnlocks>;

type KeyRow = OfflineKeyRow;

const associatedData = (clientId: string, version: number) => `offline-key:${clientId}:${version}`;

const invalidChallenge: Refusal = { refused: 'invalid_challenge', length: OFFLINE_CHALLENGE_LENGTH };
const clientNotFound: Refusal = { refused: 'not_found', what: 'Client' };
/** v1.2: offline unlock needs the guard; a lock enrolled from a user profile has no offline key. */
const noKeyForLocks: Refusal = { refused: 'offline_key_missing', why: 'profile_lock' };
const disabled: Refusal = { refused: 'offline_unlock_disabled' };

type UnlockRow = { id: string; issuedBy: string | null; sessionId: string | null; reportedAt: number | null };
const findUnlock = sql<[string, string, string], UnlockRow>(
  `SELECT id, issued_by AS "issuedBy", session_id AS "sessionId", reported_at AS "reportedAt"
     FROM offline_unlocks WHERE client_id = ? AND os_user = ? AND challenge = ?`,
);
// The guard is a Client of its own: the response was asked for the computer's machine Client.
const findUnlockOnComputer = sql<[string, string, string], UnlockRow>({
  sqlite: `SELECT u.id, u.issued_by AS issuedBy, u.session_id AS sessionId, u.reported_at AS reportedAt
     FROM clients c JOIN offline_unlocks u ON u.client_id = c.id
    WHERE c.computer_name = ? COLLATE NOCASE AND c.removed_at IS NULL AND u.os_user = ? AND u.challenge = ?
    ORDER BY u.issued_at DESC LIMIT 1`,
  postgres: `SELECT u.id, u.issued_by AS "issuedBy", u.session_id AS "sessionId", u.reported_at AS "reportedAt"
     FROM clients c JOIN offline_unlocks u ON u.client_id = c.id
    WHERE lower(c.computer_name) = lower(?) AND c.removed_at IS NULL AND u.os_user = ? AND u.challenge = ?
    ORDER BY u.issued_at DESC NULLS LAST LIMIT 1`,
});
const upsertIssued = sql<Record<string, unknown>>(
  `INSERT INTO offline_unlocks (id, client_id, os_user, challenge, issued_by, reason, issued_at, expires_at)
   VALUES (@id, @clientId, @osUser, @challenge, @issuedBy, @reason, @now, @expiresAt)
   ON CONFLICT (client_id, os_user, challenge) DO UPDATE
      SET issued_by = excluded.issued_by, reason = excluded.reason, issued_at = excluded.issued_at, expires_at = excluded.expires_at`,
);
const insertReported = sql<Record<string, unknown>>(
  `INSERT INTO offline_unlocks (id, client_id, os_user, challenge, used_at, reported_at, session_id)
   VALUES (@id, @clientId, @osUser, @challenge, @usedAt, @now, @sessionId)`,
);
const markReported = sql<Record<string, unknown>>(
  'UPDATE offline_unlocks SET used_at = @usedAt, reported_at = @now, session_id = @sessionId WHERE id = @id',
);
const list = sql<[number], OfflineUnlockRecord>(
  `SELECT u.id AS "unlockId", u.client_id AS "clientId", c.computer_name AS "computerName", u.os_user AS "osUser", u.challenge,
          u.issued_by AS "issuedBy", u.reason, u.issued_at AS "issuedAt", u.used_at AS "usedAt", u.reported_at AS "reportedAt",
          u.session_id AS "sessionId"
     FROM offline_unlocks u JOIN clients c ON c.id = u.client_id
    ORDER BY coalesce(u.reported_at, u.issued_at) DESC, u.id
    LIMIT ?`,
);

/**
 * Offline keys (v1.2: made for a machine Client at its enrollment, answered once, kept sealed) and
 * the record of offline unlocks (the one writer of `offline_unlocks`): the responses the helpdesk
 * asked for and the unlocks reported. Keys are kept by the client store, sessions by the session
 * store; audit is written in the transaction of the change it records. Response codes are computed
 * when asked for and never stored.
 */
export function createOfflineUnlocks(deps: {
  engine: Engine;
  clock: Clock;
  sealKey: Buffer;
  audit: AuditStore;
  settings: SettingsStore;
  clients: ClientStore;
  sessions: SessionStore;
}) {
  const { engine, clock, sealKey, audit, settings, clients, sessions } = deps;

  /** A fresh 256-bit key for the Client, stored sealed; returns it in clear for the one answer that carries it. */
  function* newKey(clientId: string, version: number): Work<OfflineKey> {
    const key = randomBytes(32).toString('base64url');
    yield* clients.storeOfflineKey(clientId, seal(sealKey, key, associatedData(clientId, version)), version);
    return { clientId, version, key };
  }

  /**
   * A challenge as typed (any case, dashes, O for 0) in its one canonical form, while offline unlock is
   * turned on; otherwise why not (turned off first, then a challenge that cannot be one).
   */
  function usableChallenge(typed: string): string | Refusal {
    if (!settings.get().allowOfflineUnlock) return disabled;
    const challenge = normalizeOfflineCode(typed);
    return isOfflineCode(challenge, OFFLINE_CHALLENGE_LENGTH) ? challenge : invalidChallenge;
  }

  function openKey(row: KeyRow): OfflineKey | undefined {
    if (!row.sealed || row.version === 0) return undefined;
    return { clientId: row.id, version: row.version, key: unseal(sealKey, row.sealed, associatedData(row.id, row.version)) };
  }

  return {
    /** At enrollment, inside its transaction: version 1, answered once with the enrollment. */
    *keyForEnrollment(clientId: string): Work<OfflineKey> {
      return yield* newKey(clientId, 1);
    },

    /**
     * The offline-key part of a policy answer: the version only. v1.2: the key is never sent with the
     * policy (offline unlock needs the guard, which reads the machine's key from its protected folder).
     */
    keyForPolicy: async (client: ClientRow): Promise<{ offlineKeyVersion: number } | Refusal> => {
      const row = await engine.read(() => clients.offlineKey(client.id));
      return row ? { offlineKeyVersion: row.version } : clientNotFound;
    },

    /**
     * v1.2: no offline key is rotated through the server. A profile's lock has none (offline unlock
     * needs the guard); a machine Client's new key could not be delivered without exposing it to every
     * local user, so it comes from enrolling the computer again; a guard has none.
     */
    async rotate(clientId: string, _actor: string): Promise<Refusal> {
      const row = await engine.read(() => clients.offlineKey(clientId));
      if (!row) return clientNotFound;
      return row.role === 'lock' ? noKeyForLocks : { refused: 'offline_key_held_by_computer', role: row.role };
    },

    /** The response code the helpdesk reads to the person at the locked computer. Never stored. Refused while offline unlock is turned off. */
    async respond(input: {
      clientId: string;
      osUser: string;
      challenge: string;
      reason?: string;
      actor: string;
    }): Promise<OfflineResponseResult | Refusal> {
      const challenge = usableChallenge(input.challenge);
      if (typeof challenge !== 'string') return challenge;
      const osUser = input.osUser.trim();
      const row = await engine.read(() => clients.offlineKey(input.clientId));
      if (!row) return clientNotFound;
      // A lock of an older release may still hold a key; a code for it would open a desktop no guard checked.
      if (row.role === 'lock') return noKeyForLocks;
      const key = openKey(row);
      if (!key) return { refused: 'offline_key_missing', why: 'not_yet' };
      const clientKey = base64UrlToBytes(key.key);
      // A machine Client's locks each hold their user's key (deriveOfflineUserKey), not the machine's.
      const responseKey = row.role === 'machine' ? await deriveOfflineUserKey(nodeHmacSha256, clientKey, row.id, osUser) : clientKey;
      const responseCode = await computeOfflineResponse(nodeHmacSha256, responseKey, { clientId: row.id, osUser, challenge });
      const now = clock.now();
      const expiresAt = now + OFFLINE_CHALLENGE_MINUTES * 60_000;
      await engine.write(function* () {
        yield* run(upsertIssued, {
          id: newId(),
          clientId: row.id,
          osUser,
          challenge,
          issuedBy: input.actor,
          reason: input.reason ?? null,
          now,
          expiresAt,
        });
        yield* audit.record({
          type: 'offline_unlock.response_issued',
          actor: input.actor,
          clientId: row.id,
          computerName: row.computerName,
          osUser,
          detail: `challenge ${challenge}, key version ${key.version}; reason: ${input.reason?.trim() || '(none given)'}`,
        });
      });
      return { responseCode, expiresAt };
    },

    /**
     * An offline unlock is reported. Only the guard's report (its own or the machine token, which only
     * SYSTEM can read: speaksForComputer) opens a session `via: offline` (the guard checked the response
     * code with the machine key no user can read), once: a repeated report answers the same session. A
     * report made with any other token (a profile lock's, a per-user token: each readable by some user)
     * is recorded and audited for review, and opens nothing. Refused while offline unlock is turned off.
     */
    async report(client: ClientRow, body: OfflineUnlockReport): Promise<{ sessionId?: string } | Refusal> {
      const challenge = usableChallenge(body.challenge);
      if (typeof challenge !== 'string') return challenge;
      const osUser = body.osUser.trim();
      const byGuard = speaksForComputer(client);
      return engine.write(function* (): Work<{ sessionId?: string }> {
        const now = clock.now();
        const known = byGuard
          ? yield* get(findUnlockOnComputer, client.computerName, osUser, challenge)
          : yield* get(findUnlock, client.id, osUser, challenge);
        if (known?.sessionId) return { sessionId: known.sessionId };
        // The Client's clock may run ahead; a session does not start in the server's future.
        const usedAt = Math.min(body.usedAt, now);
        const when = `challenge ${challenge} used at ${new Date(usedAt).toISOString()}`;
        const auditBase = { clientId: client.id, computerName: client.computerName, osUser };
        if (!byGuard) {
          if (known?.reportedAt) return {};
          if (known) yield* run(markReported, { id: known.id, usedAt, now, sessionId: null });
          else yield* run(insertReported, { id: newId(), clientId: client.id, osUser, challenge, usedAt, now, sessionId: null });
          const by = client.forOsUser === undefined ? `the ${client.role} token` : 'a per-user token';
          yield* audit.record({
            type: 'offline_unlock.reported',
            actor: known?.issuedBy ?? null,
            ...auditBase,
            detail: `${when}, reported with ${by}, not by the guard: information only, no session opened`,
          });
          return {};
        }
        const sessionId = yield* sessions.startOffline({ clientId: client.id, osUser, startedAt: usedAt });
        if (known) yield* run(markReported, { id: known.id, usedAt, now, sessionId });
        else yield* run(insertReported, { id: newId(), clientId: client.id, osUser, challenge, usedAt, now, sessionId });
        const issuedBy = known?.issuedBy;
        yield* audit.record({
          type: issuedBy ? 'offline_unlock.used' : 'offline_unlock.unmatched',
          actor: issuedBy ?? null,
          ...auditBase,
          detail: issuedBy
            ? `${when} (response given by ${issuedBy}), checked by the guard; session ${sessionId}`
            : `${when}, checked by the guard, with no response issued by this server: review; session ${sessionId}`,
        });
        return { sessionId };
      });
    },

    list: (limit: number): Promise<OfflineUnlockRecord[]> => engine.read(() => all(list, limit)),
  };
}

import { randomBytes } from 'node:crypto';
import {
  OFFLINE_CHALLENGE_LENGTH,
  OFFLINE_CHALLENGE_MINUTES,
  base64UrlToBytes,
  computeOfflineResponse,
  deriveOfflineUserKey,
  isOfflineCode,
  normalizeOfflineCode,
  type ClientRole,
  type OfflineKey,
  type OfflineResponseResult,
  type OfflineUnlockRecord,
  type OfflineUnlockReport,
} from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientRow } from '../clients/client-store.js';
import { AppError, notFound } from '../app-error.js';
import { newId } from '../crypto/tokens.js';
import { seal, unseal } from '../crypto/seal.js';
import { nodeHmacSha256 } from './offline-hmac.js';

export type OfflineUnlocks = ReturnType<typeof createOfflineUnlocks>;

interface KeyRow {
  id: string;
  computerName: string;
  sealed: Buffer | null;
  version: number;
  pending: number;
  role: ClientRole;
}

const associatedData = (clientId: string, version: number) => `offline-key:${clientId}:${version}`;

/** A challenge as typed (any case, dashes, O for 0) in its one canonical form, or a 400. */
export function canonicalChallenge(input: string): string {
  const challenge = normalizeOfflineCode(input);
  if (!isOfflineCode(challenge, OFFLINE_CHALLENGE_LENGTH)) {
    throw new AppError(
      400,
      'invalid_request',
      `The challenge is ${OFFLINE_CHALLENGE_LENGTH} letters and digits, as the locked computer shows it.`,
    );
  }
  return challenge;
}

/**
 * Per-Client offline keys (made, sealed, delivered, rotated) and the record of offline unlocks: the
 * responses the helpdesk asked for and the unlocks Clients reported. Audit is written in the
 * transaction of the change it records. Response codes are computed when asked for and never stored.
 */
export function createOfflineUnlocks(deps: { db: Db; clock: Clock; sealKey: Buffer; audit: AuditLog }) {
  const { db, clock, sealKey, audit } = deps;
  const keyRow = db.prepare<[string], KeyRow>(
    `SELECT id, computer_name AS computerName, offline_key_sealed AS sealed, offline_key_version AS version, offline_key_pending AS pending,
            role
       FROM clients WHERE id = ?`,
  );
  const storeKey = db.prepare<[Buffer, number, number, string]>(
    'UPDATE clients SET offline_key_sealed = ?, offline_key_version = ?, offline_key_pending = ? WHERE id = ?',
  );
  const confirmKey = db.prepare<[string, number]>('UPDATE clients SET offline_key_pending = 0 WHERE id = ? AND offline_key_version = ?');
  const findUnlock = db.prepare<[string, string, string], { id: string; issuedBy: string | null; sessionId: string | null }>(
    'SELECT id, issued_by AS issuedBy, session_id AS sessionId FROM offline_unlocks WHERE client_id = ? AND os_user = ? AND challenge = ?',
  );
  const upsertIssued = db.prepare(
    `INSERT INTO offline_unlocks (id, client_id, os_user, challenge, issued_by, reason, issued_at, expires_at)
     VALUES (@id, @clientId, @osUser, @challenge, @issuedBy, @reason, @now, @expiresAt)
     ON CONFLICT (client_id, os_user, challenge) DO UPDATE
        SET issued_by = excluded.issued_by, reason = excluded.reason, issued_at = excluded.issued_at, expires_at = excluded.expires_at`,
  );
  const insertReported = db.prepare(
    `INSERT INTO offline_unlocks (id, client_id, os_user, challenge, used_at, reported_at, session_id)
     VALUES (@id, @clientId, @osUser, @challenge, @usedAt, @now, @sessionId)`,
  );
  const markReported = db.prepare(
    'UPDATE offline_unlocks SET used_at = @usedAt, reported_at = @now, session_id = @sessionId WHERE id = @id',
  );
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, client_id, request_id, os_user, email, via, started_at, last_seen_at)
     VALUES (@id, @clientId, NULL, @osUser, '', 'offline', @startedAt, @now)`,
  );
  const list = db.prepare<[number], OfflineUnlockRecord>(
    `SELECT u.id AS unlockId, u.client_id AS clientId, c.computer_name AS computerName, u.os_user AS osUser, u.challenge,
            u.issued_by AS issuedBy, u.reason, u.issued_at AS issuedAt, u.used_at AS usedAt, u.reported_at AS reportedAt,
            u.session_id AS sessionId
       FROM offline_unlocks u JOIN clients c ON c.id = u.client_id
      ORDER BY coalesce(u.reported_at, u.issued_at) DESC, u.id
      LIMIT ?`,
  );

  /** A fresh 256-bit key for the Client, stored sealed; returns it in clear for the one answer that carries it. */
  function newKey(clientId: string, version: number, pending: boolean): OfflineKey {
    const key = randomBytes(32).toString('base64url');
    storeKey.run(seal(sealKey, key, associatedData(clientId, version)), version, pending ? 1 : 0, clientId);
    return { clientId, version, key };
  }

  function openKey(row: KeyRow): OfflineKey | undefined {
    if (!row.sealed || row.version === 0) return undefined;
    return { clientId: row.id, version: row.version, key: unseal(sealKey, row.sealed, associatedData(row.id, row.version)) };
  }

  return {
    /** At enrollment, inside its transaction: version 1, answered once with the enrollment. */
    keyForEnrollment(clientId: string): OfflineKey {
      return newKey(clientId, 1, false);
    },

    /**
     * The offline-key part of a policy answer. A Client without a key gets one; a key the Client
     * has not confirmed (by naming its version) is sent again, so a lost answer loses nothing.
     */
    keyForPolicy(client: ClientRow, heldVersion: number | undefined): { offlineKeyVersion: number; offlineKey?: OfflineKey } {
      return db
        .transaction(() => {
          const row = keyRow.get(client.id);
          if (!row) throw notFound('The Client');
          // Every local user can read a machine Client's token: its key stays in the machine's
          // protected folder (written at enrollment) and is never sent again. A guard has none.
          if (row.role !== 'lock') return { offlineKeyVersion: row.version };
          if (row.version === 0) {
            const offlineKey = newKey(client.id, 1, true);
            audit.record({ type: 'client.offline_key_created', clientId: client.id, computerName: row.computerName });
            return { offlineKeyVersion: 1, offlineKey };
          }
          if (!row.pending) return { offlineKeyVersion: row.version };
          if (heldVersion === row.version) {
            confirmKey.run(client.id, row.version);
            return { offlineKeyVersion: row.version };
          }
          return { offlineKeyVersion: row.version, offlineKey: openKey(row)! };
        })
        .immediate();
    },

    rotate(clientId: string, actor: string): { clientId: string; offlineKeyVersion: number } {
      return db
        .transaction(() => {
          const row = keyRow.get(clientId);
          if (!row) throw notFound('The Client');
          if (row.role !== 'lock') {
            // The server cannot deliver a machine Client's new key without exposing it to every local user.
            throw new AppError(
              409,
              'offline_key_held_by_computer',
              row.role === 'guard'
                ? 'A guard has no offline key.'
                : 'This computer was enrolled by the installer and holds its offline key itself: for a new key, run Latchkey.exe --enroll-machine on it as an administrator, then remove this Client.',
            );
          }
          const version = row.version + 1;
          newKey(clientId, version, true);
          audit.record({
            type: 'client.offline_key_rotated',
            actor,
            clientId,
            computerName: row.computerName,
            detail: `offline key version ${version}; the Client receives it at its next contact`,
          });
          return { clientId, offlineKeyVersion: version };
        })
        .immediate();
    },

    /** The response code the helpdesk reads to the person at the locked computer. Never stored. */
    async respond(input: {
      clientId: string;
      osUser: string;
      challenge: string;
      reason?: string;
      actor: string;
    }): Promise<OfflineResponseResult> {
      const challenge = canonicalChallenge(input.challenge);
      const osUser = input.osUser.trim();
      const row = keyRow.get(input.clientId);
      if (!row) throw notFound('The Client');
      const key = openKey(row);
      if (!key) {
        throw new AppError(
          409,
          'offline_key_missing',
          'This computer has no offline key yet: it gets one the next time it reaches the server. Use a one-time password instead.',
        );
      }
      const clientKey = base64UrlToBytes(key.key);
      // A machine Client's locks each hold their user's key (deriveOfflineUserKey), not the machine's.
      const responseKey = row.role === 'machine' ? await deriveOfflineUserKey(nodeHmacSha256, clientKey, row.id, osUser) : clientKey;
      const responseCode = await computeOfflineResponse(nodeHmacSha256, responseKey, { clientId: row.id, osUser, challenge });
      const now = clock.now();
      const expiresAt = now + OFFLINE_CHALLENGE_MINUTES * 60_000;
      db.transaction(() => {
        upsertIssued.run({
          id: newId(),
          clientId: row.id,
          osUser,
          challenge,
          issuedBy: input.actor,
          reason: input.reason ?? null,
          now,
          expiresAt,
        });
        audit.record({
          type: 'offline_unlock.response_issued',
          actor: input.actor,
          clientId: row.id,
          computerName: row.computerName,
          osUser,
          detail: `challenge ${challenge}, key version ${key.version}; reason: ${input.reason?.trim() || '(none given)'}`,
        });
      }).immediate();
      return { responseCode, expiresAt };
    },

    /**
     * A Client's report of an offline unlock: recorded once (a repeated report answers the same
     * session), with a session `via: offline` from the moment it was used.
     */
    report(client: ClientRow, body: OfflineUnlockReport): { sessionId: string; created: boolean } {
      const challenge = canonicalChallenge(body.challenge);
      const osUser = body.osUser.trim();
      return db
        .transaction(() => {
          const now = clock.now();
          const known = findUnlock.get(client.id, osUser, challenge);
          if (known?.sessionId) return { sessionId: known.sessionId, created: false };
          const sessionId = newId();
          // The Client's clock may run ahead; a session does not start in the server's future.
          const usedAt = Math.min(body.usedAt, now);
          insertSession.run({ id: sessionId, clientId: client.id, osUser, startedAt: usedAt, now });
          if (known) markReported.run({ id: known.id, usedAt, now, sessionId });
          else insertReported.run({ id: newId(), clientId: client.id, osUser, challenge, usedAt, now, sessionId });
          const issuedBy = known?.issuedBy;
          audit.record({
            type: issuedBy ? 'offline_unlock.used' : 'offline_unlock.unmatched',
            actor: issuedBy ?? null,
            clientId: client.id,
            computerName: client.computerName,
            osUser,
            detail: issuedBy
              ? `challenge ${challenge} (response given by ${issuedBy}) used at ${new Date(usedAt).toISOString()}; session ${sessionId}`
              : `challenge ${challenge} used at ${new Date(usedAt).toISOString()} with no response issued by this server: review; session ${sessionId}`,
          });
          return { sessionId, created: true };
        })
        .immediate();
    },

    list(limit: number): OfflineUnlockRecord[] {
      return list.all(limit);
    },
  };
}

import { foldName, type AdminClient, type ClientCaller, type ClientRole } from '@latchkey/contracts';
import { all, get, run, sql, type Work } from '../db/engine.js';
import type { Clock } from '../clock.js';
import { hashToken, newId, newToken } from '../crypto/tokens.js';

export interface ClientRow {
  id: string;
  computerName: string;
  allowOtp: boolean;
  lastOtpIssuedAt: number | null;
  role: ClientRole;
  /** Set when the caller holds a per-user token of this Client: the one osUser it acts for. */
  forOsUser?: string;
}

/** Who holds a token, as far as ownership goes: the Client, and the osUser a per-user token is bound to. */
export type TokenHolder = Pick<ClientRow, 'id' | 'forOsUser'>;

/** Whether the holder may act for this osUser: any, with a Client's own token; its own only, with a per-user token. */
export function actsFor(holder: TokenHolder, osUser: string): boolean {
  return holder.forOsUser === undefined || holder.forOsUser.toLowerCase() === osUser.toLowerCase();
}

/**
 * Whether the token is the computer's own, which only SYSTEM can read (v1.2): the guard's, or the
 * machine Client's that the installer writes SYSTEM-and-Administrators-only and the guard acts with.
 * A profile lock's token and every per-user token are readable by a user, so they never speak for
 * the computer (an offline report from them opens nothing).
 */
export function speaksForComputer(client: Pick<ClientRow, 'role' | 'forOsUser'>): boolean {
  return client.forOsUser === undefined && (client.role === 'guard' || client.role === 'machine');
}

/** The kind of token, as routes name their callers (contracts ClientCaller). */
export function callerOf(client: ClientRow): ClientCaller {
  return client.forOsUser === undefined ? client.role : 'user';
}

export type ClientStore = ReturnType<typeof clientStore>;

type TokenRow = {
  id: string;
  computerName: string;
  allowOtp: number;
  lastOtpIssuedAt: number | null;
  lastSeenAt: number | null;
  role: ClientRole;
  forOsUser: string | null;
};
type AdminClientRow = Omit<AdminClient, 'allowOneTimePasswords' | 'duplicateName'> & { allowOneTimePasswords: number };

const insert = sql<[string, string, Buffer, number, number, string, ClientRole]>(
  'INSERT INTO clients (id, computer_name, token_hash, allow_otp, enrolled_at, enrolled_from, role) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
// One statement for both kinds of token, so the check on every call stays one lookup: a Client's own
// token, or a per-user token of a live Client (with the osUser it is bound to).
const CLIENT_COLUMNS = `c.id, c.computer_name AS "computerName", c.allow_otp AS "allowOtp", c.last_otp_issued_at AS "lastOtpIssuedAt",
          c.last_seen_at AS "lastSeenAt", c.role`;
const byToken = sql<{ hash: Buffer }, TokenRow>(
  `SELECT ${CLIENT_COLUMNS}, NULL AS "forOsUser" FROM clients c WHERE c.token_hash = @hash AND c.removed_at IS NULL
   UNION ALL
   SELECT ${CLIENT_COLUMNS}, u.os_user AS "forOsUser"
     FROM client_user_tokens u JOIN clients c ON c.id = u.client_id
    WHERE u.token_hash = @hash AND c.removed_at IS NULL`,
);
const insertUserToken = sql<[Buffer, string, string, number]>(
  'INSERT INTO client_user_tokens (token_hash, client_id, os_user, created_at) VALUES (?, ?, ?, ?)',
);
const byId = sql<[string], { id: string; computerName: string; allowOtp: number; lastOtpIssuedAt: number | null; role: ClientRole }>(
  `SELECT id, computer_name AS "computerName", allow_otp AS "allowOtp", last_otp_issued_at AS "lastOtpIssuedAt", role
     FROM clients WHERE id = ? AND removed_at IS NULL`,
);
const touch = sql<[number, string]>('UPDATE clients SET last_seen_at = ? WHERE id = ?');
const ADMIN_COLUMNS = `c.id AS "clientId", c.computer_name AS "computerName", c.allow_otp AS "allowOneTimePasswords",
          c.enrolled_at AS "enrolledAt", c.last_seen_at AS "lastSeenAt", c.enrolled_from AS "enrolledFromAddress", c.role`;
const listAll = sql<[], AdminClientRow>({
  sqlite: `SELECT ${ADMIN_COLUMNS} FROM clients c WHERE c.removed_at IS NULL ORDER BY c.computer_name COLLATE NOCASE, c.enrolled_at`,
  postgres: `SELECT ${ADMIN_COLUMNS} FROM clients c WHERE c.removed_at IS NULL ORDER BY lower(c.computer_name), c.enrolled_at`,
});
const adminById = sql<[string], AdminClientRow>(`SELECT ${ADMIN_COLUMNS} FROM clients c WHERE c.id = ? AND c.removed_at IS NULL`);
const setAllow = sql<[number, string]>('UPDATE clients SET allow_otp = ? WHERE id = ? AND removed_at IS NULL');
const markRemoved = sql<[number, string, string]>('UPDATE clients SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL');
const selectLastOtpIssued = sql<[string], { lastOtpIssuedAt: number | null }>(
  'SELECT last_otp_issued_at AS "lastOtpIssuedAt" FROM clients WHERE id = ?',
);
const setLastOtpIssued = sql<[number, string]>('UPDATE clients SET last_otp_issued_at = ? WHERE id = ?');
// SQLite has no row locks and needs none (one writer): there the statement is a plain read.
const lockRow = sql<[string], { id: string }>({
  sqlite: 'SELECT id FROM clients WHERE id = ?',
  postgres: 'SELECT id FROM clients WHERE id = ? FOR UPDATE',
});
const offlineKeyRow = sql<[string], OfflineKeyRow>(
  `SELECT id, computer_name AS "computerName", offline_key_sealed AS sealed, offline_key_version AS version, role
     FROM clients WHERE id = ?`,
);
const storeOfflineKey = sql<[Buffer, number, string]>(
  'UPDATE clients SET offline_key_sealed = ?, offline_key_version = ?, offline_key_pending = 0 WHERE id = ?',
);

/** A Client's offline key as stored: sealed (offline/offline-unlocks.ts opens it), with its version. */
export interface OfflineKeyRow {
  id: string;
  computerName: string;
  sealed: Buffer | null;
  version: number;
  role: ClientRole;
}

// duplicateName: another live Client of the same sort answers to the same name, compared as a reader
// sees it (foldName: NFKC and case folding, so `ＰＣ-1` and `pc-1` are one name). A computer has one
// lock Client (its users' own, or the installer's) and one guard: a lock and a guard of one name are
// that computer, two locks (or two guards) are one computer too many.
const sameName = (row: AdminClientRow) => `${row.role === 'guard' ? 'guard' : 'lock'}:${foldName(row.computerName)}`;
const toAdmin = (rows: readonly AdminClientRow[], live: readonly AdminClientRow[] = rows): AdminClient[] => {
  const named = new Map<string, number>();
  for (const row of live) named.set(sameName(row), (named.get(sameName(row)) ?? 0) + 1);
  return rows.map((row) => ({
    ...row,
    allowOneTimePasswords: row.allowOneTimePasswords === 1,
    duplicateName: named.get(sameName(row))! > 1,
  }));
};

// A Client calls every few seconds at most; one write a minute is enough for "last seen".
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** The one writer of `clients` and `client_user_tokens`. */
export function clientStore(clock: Clock) {
  function* oneAdmin(row: AdminClientRow | undefined): Work<AdminClient | undefined> {
    return row && toAdmin([row], yield* all(listAll))[0];
  }

  return {
    *enroll(
      computerName: string,
      allowOtp: boolean,
      fromAddress: string,
      role: ClientRole,
    ): Work<{ clientId: string; clientToken: string }> {
      const clientId = newId();
      const clientToken = newToken();
      yield* run(insert, clientId, computerName, hashToken(clientToken), allowOtp ? 1 : 0, clock.now(), fromAddress, role);
      return { clientId, clientToken };
    },
    /**
     * The Client holding `token`, and whether "last seen" is due for a refresh (`markSeen`: the
     * caller commits it, grouped with other writes).
     */
    *authenticate(token: string): Work<{ client: ClientRow; seenDue: boolean } | undefined> {
      const row = yield* get(byToken, { hash: hashToken(token) });
      if (!row) return undefined;
      const now = clock.now();
      return {
        client: {
          id: row.id,
          computerName: row.computerName,
          allowOtp: row.allowOtp === 1,
          lastOtpIssuedAt: row.lastOtpIssuedAt,
          role: row.role,
          ...(row.forOsUser === null ? {} : { forOsUser: row.forOsUser }),
        },
        seenDue: row.lastSeenAt === null || now - row.lastSeenAt >= LAST_SEEN_RESOLUTION_MS,
      };
    },
    /** Holds this Client's row until the transaction ends: its actions queue on it, on every node. */
    *lock(clientId: string): Work<void> {
      yield* get(lockRow, clientId);
    },
    *markSeen(clientId: string): Work<void> {
      yield* run(touch, clock.now(), clientId);
    },
    /** A new token of this Client bound to `osUser`; only its hash is kept. Inside the caller's transaction. */
    *mintUserToken(clientId: string, osUser: string): Work<{ clientToken: string; osUser: string }> {
      const clientToken = newToken();
      yield* run(insertUserToken, hashToken(clientToken), clientId, osUser, clock.now());
      return { clientToken, osUser };
    },
    *get(clientId: string): Work<ClientRow | undefined> {
      const row = yield* get(byId, clientId);
      return row && { ...row, allowOtp: row.allowOtp === 1 };
    },
    /** When this Client was last issued an OTP (read inside the issuing transaction, not from the token check). */
    *lastOtpIssuedAt(clientId: string): Work<number | null> {
      return (yield* get(selectLastOtpIssued, clientId))?.lastOtpIssuedAt ?? null;
    },
    /** `at`: the very time the request store recorded as the OTP's issue (the interval waiver compares the two). */
    *markOtpIssued(clientId: string, at: number): Work<void> {
      yield* run(setLastOtpIssued, at, clientId);
    },
    *offlineKey(clientId: string): Work<OfflineKeyRow | undefined> {
      return yield* get(offlineKeyRow, clientId);
    },
    *storeOfflineKey(clientId: string, sealed: Buffer, version: number): Work<void> {
      yield* run(storeOfflineKey, sealed, version, clientId);
    },
    *list(): Work<AdminClient[]> {
      return toAdmin(yield* all(listAll));
    },
    /** Marks a live Client removed (its token is refused from now on); the Client as it was, or undefined. */
    *remove(clientId: string, actor: string): Work<AdminClient | undefined> {
      const removed = yield* oneAdmin(yield* get(adminById, clientId));
      if (removed) yield* run(markRemoved, clock.now(), actor, clientId);
      return removed;
    },
    *setAllowOtp(clientId: string, allow: boolean): Work<AdminClient | undefined> {
      yield* run(setAllow, allow ? 1 : 0, clientId);
      return yield* oneAdmin(yield* get(adminById, clientId));
    },
  };
}

import type { AdminClient } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import { hashToken, newId, newToken } from '../crypto/tokens.js';

export interface ClientRow {
  id: string;
  computerName: string;
  allowOtp: boolean;
  lastOtpIssuedAt: number | null;
}

export type ClientStore = ReturnType<typeof createClientStore>;

export function createClientStore(db: Db, clock: Clock) {
  const insert = db.prepare('INSERT INTO clients (id, computer_name, token_hash, allow_otp, enrolled_at) VALUES (?, ?, ?, ?, ?)');
  const byToken = db.prepare<
    [Buffer],
    { id: string; computerName: string; allowOtp: number; lastOtpIssuedAt: number | null; lastSeenAt: number | null }
  >(
    `SELECT id, computer_name AS computerName, allow_otp AS allowOtp, last_otp_issued_at AS lastOtpIssuedAt,
            last_seen_at AS lastSeenAt
       FROM clients WHERE token_hash = ?`,
  );
  const byId = db.prepare<[string], { id: string; computerName: string; allowOtp: number; lastOtpIssuedAt: number | null }>(
    `SELECT id, computer_name AS computerName, allow_otp AS allowOtp, last_otp_issued_at AS lastOtpIssuedAt
       FROM clients WHERE id = ?`,
  );
  const touch = db.prepare<[number, string]>('UPDATE clients SET last_seen_at = ? WHERE id = ?');
  const listAll = db.prepare<[], AdminClientRow>(
    `SELECT id AS clientId, computer_name AS computerName, allow_otp AS allowOneTimePasswords,
            enrolled_at AS enrolledAt, last_seen_at AS lastSeenAt
       FROM clients ORDER BY computer_name COLLATE NOCASE, enrolled_at`,
  );
  const adminById = db.prepare<[string], AdminClientRow>(
    `SELECT id AS clientId, computer_name AS computerName, allow_otp AS allowOneTimePasswords,
            enrolled_at AS enrolledAt, last_seen_at AS lastSeenAt
       FROM clients WHERE id = ?`,
  );
  const setAllow = db.prepare<[number, string]>('UPDATE clients SET allow_otp = ? WHERE id = ?');
  const selectLastOtpIssued = db.prepare<[string], { lastOtpIssuedAt: number | null }>(
    'SELECT last_otp_issued_at AS lastOtpIssuedAt FROM clients WHERE id = ?',
  );
  const setLastOtpIssued = db.prepare<[number, string]>('UPDATE clients SET last_otp_issued_at = ? WHERE id = ?');

  type AdminClientRow = Omit<AdminClient, 'allowOneTimePasswords'> & { allowOneTimePasswords: number };
  const toAdmin = (row: AdminClientRow): AdminClient => ({ ...row, allowOneTimePasswords: row.allowOneTimePasswords === 1 });

  // A Client calls every few seconds at most; one write a minute is enough for "last seen".
  const LAST_SEEN_RESOLUTION_MS = 60_000;

  return {
    enroll(computerName: string, allowOtp: boolean): { clientId: string; clientToken: string } {
      const clientId = newId();
      const clientToken = newToken();
      insert.run(clientId, computerName, hashToken(clientToken), allowOtp ? 1 : 0, clock.now());
      return { clientId, clientToken };
    },
    /**
     * The Client holding `token`, and, when "last seen" is due for a refresh, the write that does it
     * (the caller commits it, grouped with other writes).
     */
    authenticate(token: string): { client: ClientRow; markSeen: (() => void) | undefined } | undefined {
      const row = byToken.get(hashToken(token));
      if (!row) return undefined;
      const now = clock.now();
      const due = row.lastSeenAt === null || now - row.lastSeenAt >= LAST_SEEN_RESOLUTION_MS;
      return {
        client: { id: row.id, computerName: row.computerName, allowOtp: row.allowOtp === 1, lastOtpIssuedAt: row.lastOtpIssuedAt },
        markSeen: due ? () => void touch.run(now, row.id) : undefined,
      };
    },
    get(clientId: string): ClientRow | undefined {
      const row = byId.get(clientId);
      return row && { ...row, allowOtp: row.allowOtp === 1 };
    },
    /** When this Client was last issued an OTP (read inside the issuing transaction, not from the token check). */
    lastOtpIssuedAt: (clientId: string): number | null => selectLastOtpIssued.get(clientId)?.lastOtpIssuedAt ?? null,
    markOtpIssued: (clientId: string): void => void setLastOtpIssued.run(clock.now(), clientId),
    list(): AdminClient[] {
      return listAll.all().map(toAdmin);
    },
    setAllowOtp(clientId: string, allow: boolean): AdminClient | undefined {
      setAllow.run(allow ? 1 : 0, clientId);
      const row = adminById.get(clientId);
      return row && toAdmin(row);
    },
  };
}

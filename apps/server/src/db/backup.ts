import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { deriveKeys } from '../crypto/secret-key.js';
import { unseal } from '../crypto/seal.js';
import { claimDataDir, dataDirHolder, DataDirInUseError } from './data-dir-lock.js';
import { loadMigrations } from './database.js';

export const DATABASE_FILE = 'latchkey.db';
/** What an operator compares after a restore. */
const COUNTED = ['clients', 'users', 'otp_requests', 'sessions', 'audit_events', 'mail_queue'] as const;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface DatabaseSummary {
  schemaVersion: number;
  counts: Record<(typeof COUNTED)[number], number>;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens a database copy read-only and checks it is a whole Latchkey database this code can run. */
export function inspectCopy(file: string): DatabaseSummary {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupError(`${file} cannot be opened as a database`);
  }
  try {
    let integrity: string;
    try {
      integrity = db.pragma('integrity_check(1)', { simple: true }) as string;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new BackupError(`${file} is not a SQLite database`);
      integrity = 'unreadable';
    }
    if (integrity !== 'ok') throw new BackupError(`${file} fails its integrity check; it is damaged and was not used`);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const known = loadMigrations().at(-1)?.version ?? 0;
    const tables = new Set(
      db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .all()
        .map((r) => r.name),
    );
    if (schemaVersion === 0 || COUNTED.some((t) => !tables.has(t))) throw new BackupError(`${file} is not a Latchkey database`);
    if (schemaVersion > known) {
      throw new BackupError(
        `${file} is at schema version ${schemaVersion}, newer than this Latchkey (${known}); restore it with the version that made it`,
      );
    }
    const counts = Object.fromEntries(
      COUNTED.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
    ) as DatabaseSummary['counts'];
    return { schemaVersion, counts };
  } finally {
    db.close();
  }
}

/** A backup's checksum file: beside it, in `sha256sum` format, so `sha256sum -c` checks it too. */
export const checksumFile = (file: string) => `${file}.sha256`;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A consistent copy of the live database while the server keeps serving (SQLite's online backup API
 * reads one snapshot; WAL writers are not blocked). Written next to the target and renamed into place,
 * so a half-written backup never carries the target's name. Readable by its owner only (it holds
 * password hashes and sealed OTPs), with its SHA-256 beside it: a copy that changes afterwards, even
 * one whose b-tree is still whole, is refused by restore.
 */
export async function backupDatabase(dataDir: string, to: string): Promise<DatabaseSummary & { sha256: string }> {
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source} (is LATCHKEY_DATA_DIR right?)`);
  const target = resolve(to);
  const partial = `${target}.partial`;
  const partialChecksum = `${checksumFile(target)}.partial`;
  rmSync(partial, { force: true });
  // Created empty and 0600 before SQLite writes a page into it (SQLite keeps the mode of a file it
  // opens, and gives its journal the same).
  closeSync(openSync(partial, 'wx', 0o600));
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: one snapshot, and no restart when the server writes meanwhile.
    await db.backup(partial, { progress: () => 2 ** 30 });
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  try {
    // The copy is a file of its own: no WAL beside it, so a plain `cp` of it later is safe.
    const copy = new Database(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    chmodSync(partial, 0o600);
    const summary = inspectCopy(partial);
    fsyncPath(partial);
    const sha256 = await sha256Of(partial);
    writeFileSync(partialChecksum, `${sha256}  ${basename(target)}\n`, { mode: 0o600 });
    fsyncPath(partialChecksum);
    renameSync(partial, target);
    renameSync(partialChecksum, checksumFile(target));
    fsyncPath(dirname(target));
    return { ...summary, sha256 };
  } catch (err) {
    rmSync(partial, { force: true });
    rmSync(partialChecksum, { force: true });
    throw err;
  }
}

/** Refuses a copy whose checksum file is missing, unreadable or names other bytes than it holds. */
async function checkChecksum(file: string): Promise<void> {
  const sumFile = checksumFile(file);
  if (!existsSync(sumFile)) {
    throw new BackupError(
      `${sumFile} is missing, so ${file} cannot be checked; to restore it knowingly anyway (a copy made before checksums, or one you checked yourself), add --ignore-checksum`,
    );
  }
  const expected = /^([0-9a-f]{64})\s/i.exec(readFileSync(sumFile, 'utf8'))?.[1]?.toLowerCase();
  if (expected === undefined) throw new BackupError(`${sumFile} is not a sha256sum line`);
  if ((await sha256Of(file)) !== expected) {
    throw new BackupError(`${file} does not match its checksum in ${sumFile}: it changed after the backup was made and was not used`);
  }
}

export type KeyCheck = 'matches' | 'missing' | 'different' | 'nothing-sealed';

/** Whether the server key the data dir will use opens what the copy sealed (OTPs that can still be resent). */
function checkKey(file: string, secret: Buffer | undefined): KeyCheck {
  if (!secret) return 'missing';
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[], { id: string; sealed: Buffer }>(
        'SELECT id, otp_sealed AS sealed FROM otp_requests WHERE otp_sealed IS NOT NULL ORDER BY created_at DESC LIMIT 1',
      )
      .get();
    if (!row) return 'nothing-sealed';
    try {
      unseal(deriveKeys(secret).seal, row.sealed, row.id);
      return 'matches';
    } catch {
      return 'different';
    }
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place as the data dir's database. Refuses while a server holds the data dir, and a
 * copy that does not match its checksum (unless `ignoreChecksum`), is damaged, not Latchkey's, or newer
 * than this code. The database it replaces is kept beside it (`latchkey.db.before-restore-<time>`, with
 * its WAL), never deleted.
 */
export async function restoreDatabase(
  dataDir: string,
  from: string,
  secret: Buffer | undefined,
  options: { ignoreChecksum?: boolean } = {},
): Promise<DatabaseSummary & { key: KeyCheck; keptAs?: string }> {
  const holder = dataDirHolder(dataDir);
  if (holder !== undefined) throw new DataDirInUseError(holder, join(dataDir, 'latchkey.pid'));
  if (!options.ignoreChecksum) await checkChecksum(resolve(from));
  const summary = inspectCopy(resolve(from));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const release = claimDataDir(dataDir);
  try {
    const target = join(dataDir, DATABASE_FILE);
    let keptAs: string | undefined;
    if (existsSync(target)) {
      keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, keptAs + suffix);
    }
    const incoming = `${target}.restoring`;
    copyFileSync(resolve(from), incoming);
    chmodSync(incoming, 0o600);
    fsyncPath(incoming);
    renameSync(incoming, target);
    fsyncPath(dataDir);
    const keyFile = join(dataDir, 'secret.key');
    const key = checkKey(target, secret ?? (existsSync(keyFile) ? Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64') : undefined));
    return { ...summary, key, ...(keptAs ? { keptAs } : {}) };
  } finally {
    release();
  }
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a node reads the files every node on one database shares. */
export interface SharedNodeFiles {
  LATCHKEY_DATABASE_URL_FILE: string;
  LATCHKEY_SECRET_FILE: string;
  LATCHKEY_SIGNING_KEY_FILE: string;
}

/**
 * The files every node on one PostgreSQL database is given, as docs/operations.md ("High
 * availability") has an operator make them: the database URL (it holds a password), a new secret key
 * and a new verdict-signing key, each mode 0600 in `dir`. A database remembers the keys it was first
 * used with and refuses a node with others, so every node of one database gets these same files.
 * Answers the environment that names them.
 */
export function writeSharedNodeFiles(dir: string, databaseUrl: string): SharedNodeFiles {
  const files = {
    LATCHKEY_DATABASE_URL_FILE: join(dir, 'database-url'),
    LATCHKEY_SECRET_FILE: join(dir, 'secret.key'),
    LATCHKEY_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
  };
  writeFileSync(files.LATCHKEY_DATABASE_URL_FILE, `${databaseUrl}\n`, { mode: 0o600 });
  writeFileSync(files.LATCHKEY_SECRET_FILE, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(files.LATCHKEY_SIGNING_KEY_FILE, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return files;
}

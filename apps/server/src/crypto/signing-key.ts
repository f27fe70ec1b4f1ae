import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64UrlDecode, formatFingerprint } from '@latchkey/contracts';
import { writeNewFileDurably } from './secret-key.js';
import type { ThreadPool } from './thread-pool.js';

/** The server's Ed25519 key that signs unlock verdicts and the guard's answers. */
export interface SigningKey {
  /** Raw 32-byte public key, base64url (what the enroll answer and `/SERVERKEY=` carry). */
  publicKey: string;
  /** SHA-256 of the raw public key, grouped for reading aloud. */
  fingerprint: string;
  /**
   * Ed25519 signature of `message`, base64url. Signed on libuv's thread pool when a thread is free
   * (a signature costs 25-35 µs, a tenth of a verification's time on the server's one thread), and on
   * the event loop when password checks fill the pool, so that unlocks never wait behind them.
   */
  sign(message: Uint8Array): Promise<string>;
}

export const SIGNING_KEY_FILE = 'signing.key';

function publicKeyOf(privateKey: KeyObject): Pick<SigningKey, 'publicKey' | 'fingerprint'> {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  const publicKey = createPublicKey(privateKey).export({ format: 'jwk' }).x!;
  return { publicKey, fingerprint: formatFingerprint(createHash('sha256').update(base64UrlDecode(publicKey)).digest()) };
}

/** The fingerprint of a PEM signing key (see signingKeyProblem first), for tools that only compare keys. */
export const signingKeyFingerprint = (pem: string): string => publicKeyOf(createPrivateKey(pem)).fingerprint;

function fromPrivateKey(privateKey: KeyObject, pool: ThreadPool): SigningKey {
  return {
    ...publicKeyOf(privateKey),
    sign: async (message) => {
      const signature = pool.hasFreeThread()
        ? await pool.submit<Buffer>((done) => sign(null, message, privateKey, done))
        : sign(null, message, privateKey);
      return signature.toString('base64url');
    },
  };
}

/** Why `pem` cannot be the signing key, or undefined when it can (a PKCS#8 PEM Ed25519 private key). */
export function signingKeyProblem(pem: string): string | undefined {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'ed25519' ? undefined : 'must hold an Ed25519 private key';
  } catch {
    return 'must hold a PEM private key (PKCS#8)';
  }
}

/**
 * The signing key: from LATCHKEY_SIGNING_KEY_FILE (the same file on every node) when set, else
 * `<dataDir>/signing.key`, created on first start like the secret key: mode 0600, written to a
 * temporary file, flushed, then linked into place, so a crash never leaves half a key and two starts
 * never write two. It is never stored in the database, so a database backup or leak does not let
 * anyone sign verdicts. `source` names where it came from, for the one line a mismatch prints. It
 * signs on `pool` while a thread is free.
 */
export function loadSigningKey(
  dataDir: string,
  fromFile: { file: string; pem: string } | undefined,
  pool: ThreadPool,
): SigningKey & { source: string } {
  if (fromFile) return { ...fromPrivateKey(createPrivateKey(fromFile.pem), pool), source: `LATCHKEY_SIGNING_KEY_FILE (${fromFile.file})` };
  const file = join(dataDir, SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeNewFileDurably(file, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} does not hold a PEM private key`);
  }
  return { ...fromPrivateKey(privateKey, pool), source: file };
}

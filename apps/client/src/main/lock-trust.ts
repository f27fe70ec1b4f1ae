import { generateKeyPairSync, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isServerPublicKey } from '@latchkey/contracts';
import { parseServerUrls } from './machine-config.js';

/**
 * The lock's trust anchors on an installer-enrolled computer: `lock-trust.json` beside client.json
 * (%ProgramData%\Latchkey), which every user can read and only SYSTEM and Administrators can write.
 * It holds the guard identity key's public half (the lock authenticates the guard with it: any user
 * can create another instance of the guard's pipe), the server key the lock pins, and the servers.
 * The guard writes it at every start from the machine token and its identity key, whose private
 * half stays in the guard's SYSTEM-only storage (`guard\guard-identity.json`); the elevated
 * installer (`--install-machine`) writes both first, so the file is there before any user signs in.
 *
 * The Windows command, exactly (verify by hand: docs/deployment.md, "Checking a computer"):
 *   icacls.exe <lock-trust.json.new> /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F *S-1-5-32-545:R
 * run on the new file before it replaces the old one, so no user-writable copy exists at any time.
 */
export interface LockTrust {
  /** The guard identity key, 32 raw bytes base64url (the JWK `x`). */
  guardPublicKey: string;
  /** The server's verdict key the lock pins (the installer's /SERVERKEY, or what enrollment pinned). */
  serverPublicKey: string;
  serverUrls: string[];
}

export const LOCK_TRUST_FILE = 'lock-trust.json';
/** In the guard's storage folder (SYSTEM and Administrators only, inherited from %ProgramData%\Latchkey). */
export const GUARD_IDENTITY_FILE = 'guard-identity.json';

/** The guard's SYSTEM-only storage: %ProgramData%\\Latchkey\\guard. */
export function guardStorageDir(configPath: string): string {
  return join(dirname(configPath), 'guard');
}

export function lockTrustPath(configPath: string): string {
  return join(dirname(configPath), LOCK_TRUST_FILE);
}

/** icacls arguments after the path: inherited entries removed; SYSTEM and Administrators full, Users read. */
export const LOCK_TRUST_ACL: readonly string[] = ['/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F', '*S-1-5-32-545:R'];

export function lockTrustText(trust: LockTrust): string {
  return `${JSON.stringify({ version: 1, ...trust }, null, 2)}\n`;
}

export class LockTrustError extends Error {}

export function parseLockTrust(text: string): LockTrust {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    throw new LockTrustError('The lock trust file is not valid JSON.');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new LockTrustError('The lock trust file must be a JSON object.');
  const { version, guardPublicKey, serverPublicKey, serverUrls, ...rest } = raw as Record<string, unknown>;
  if (version !== 1 || Object.keys(rest).length) throw new LockTrustError('The lock trust file is not of this version.');
  if (!isServerPublicKey(guardPublicKey)) throw new LockTrustError('guardPublicKey is missing or malformed.');
  if (!isServerPublicKey(serverPublicKey)) throw new LockTrustError('serverPublicKey is missing or malformed.');
  if (!Array.isArray(serverUrls) || !serverUrls.length || !serverUrls.every((u) => typeof u === 'string'))
    throw new LockTrustError('serverUrls is missing.');
  return { guardPublicKey, serverPublicKey, serverUrls: parseServerUrls(serverUrls.join(';')) };
}

/** What the lock found: the trust file, or why there is none it can use (undefined: there is no file). */
export function readLockTrust(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')) {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOENT' ? undefined : { problem: `${path}: ${code ?? (err as Error).message}` };
  }
  try {
    return { trust: parseLockTrust(text) };
  } catch (err) {
    return { problem: `${path}: ${(err as Error).message}` };
  }
}

/** The guard identity key: its private half (PKCS#8, SYSTEM only) and the public half the locks trust. */
export interface GuardIdentity {
  privateKey: KeyObject;
  publicKey: string;
  /** Signs with the private half (node:crypto, Ed25519). */
  sign(message: Uint8Array): Uint8Array;
}

function identityOf(privateKey: KeyObject): GuardIdentity {
  const jwk = privateKey.export({ format: 'jwk' });
  return { privateKey, publicKey: jwk.x!, sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}

/**
 * The guard identity key held in `storage`, made (once per computer) when missing or unreadable.
 * `storage` is the guard's SYSTEM-only storage (guard-host.ts SystemStorage) or, in the installer,
 * the same folder written directly.
 */
export function loadOrCreateGuardIdentity(storage: { read(name: string): string | undefined; write(name: string, text: string): void }) {
  const text = storage.read(GUARD_IDENTITY_FILE);
  if (text) {
    try {
      const { privateKey } = JSON.parse(text) as { privateKey?: string };
      if (typeof privateKey === 'string') {
        const key = createPrivateKey({ key: privateKey, format: 'pem' });
        if (key.asymmetricKeyType === 'ed25519') return identityOf(key);
      }
    } catch {
      // A damaged key file: make a new key (the trust file is written again with it).
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  storage.write(GUARD_IDENTITY_FILE, JSON.stringify({ privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) }));
  return identityOf(privateKey);
}

/**
 * The guard identity key (made when missing) and the trust file written with it, from the machine
 * token: the guard at every start, and the elevated installer before the guard's task exists.
 */
export function ensureLockTrust(
  configPath: string,
  machine: { serverPublicKey: string; serverUrls: string[] },
  storage: Parameters<typeof loadOrCreateGuardIdentity>[0],
  restrict: (path: string, acl: readonly string[]) => void,
): GuardIdentity {
  const identity = loadOrCreateGuardIdentity(storage);
  writeLockTrust(
    configPath,
    { guardPublicKey: identity.publicKey, serverPublicKey: machine.serverPublicKey, serverUrls: machine.serverUrls },
    restrict,
  );
  return identity;
}

/**
 * Writes the trust file: the new text beside it, restricted by icacls (`restrict`, which throws when
 * it fails), then renamed over the old one. A failure throws: the guard does not serve a channel the
 * locks could not authenticate.
 */
export function writeLockTrust(configPath: string, trust: LockTrust, restrict: (path: string, acl: readonly string[]) => void): void {
  const path = lockTrustPath(configPath);
  const next = `${path}.new`;
  writeFileSync(next, lockTrustText(trust));
  restrict(next, LOCK_TRUST_ACL);
  renameSync(next, path);
}

import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hkdfSync, randomBytes } from 'node:crypto';

/** Keys derived from the one server secret that lives outside the database. */
export interface ServerKeys {
  /** HMAC key for stored OTP hashes. */
  otpHash: Buffer;
  /** AES-256-GCM key for the resendable copy of an OTP and for queued mail bodies. */
  seal: Buffer;
}

export function deriveKeys(secret: Buffer): ServerKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return { otpHash: derive('latchkey otp hash v1'), seal: derive('latchkey seal v1') };
}

/**
 * Creates a file (it must not exist) atomically and makes it durable, contents and directory entry,
 * before anything depends on it: the database is fsynced, so rows sealed under a key that was still
 * only in the page cache would be unreadable after a crash or an emergency read-only remount. The
 * content goes to a temporary file first and is linked into place, so a crash never leaves a
 * truncated key and a second process starting at the same moment fails rather than overwrite it.
 */
export function writeNewFileDurably(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temporary, mode);
    linkSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export const SECRET_KEY_FILE = 'secret.key';

/** Reads `<dataDir>/secret.key`, creating it (mode 0600) on first start. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_KEY_FILE);
  if (existsSync(file)) {
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (secret.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return secret;
  }
  const secret = randomBytes(32);
  writeNewFileDurably(file, `${secret.toString('base64')}\n`, 0o600);
  return secret;
}

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Reads `<dataDir>/secret.key`, creating it (mode 0600) on first start. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (secret.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return secret;
  }
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

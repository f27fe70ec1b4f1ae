import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256-bit random, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

// Identifiers are cut from a pool of CSPRNG bytes refilled 4 KiB at a time, as Node does for
// randomUUID(): one randomBytes() call costs 5-20 µs whatever its size, and every verification
// makes a session id. Tokens (secrets) still take their own randomBytes() call.
const ID_BYTES = 12;
const POOL_BYTES = 4096 - (4096 % ID_BYTES);
let idPool = Buffer.alloc(0);
let idOffset = 0;

/** Short random identifiers for rows that appear in URLs (96 bits, base64url). */
export function newId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(POOL_BYTES);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

/** Tokens are stored as SHA-256: they are long random values, so no salt or slow hash is needed. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function equalSecrets(a: string, b: string): boolean {
  return timingSafeEqual(hashToken(a), hashToken(b));
}

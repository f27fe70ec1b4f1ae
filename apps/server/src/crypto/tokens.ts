import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256-bit random, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Short random identifiers for rows that appear in URLs. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** Tokens are stored as SHA-256: they are long random values, so no salt or slow hash is needed. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function equalSecrets(a: string, b: string): boolean {
  return timingSafeEqual(hashToken(a), hashToken(b));
}

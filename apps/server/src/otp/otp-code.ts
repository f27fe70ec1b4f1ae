import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Uniform random digits, leading zeros kept. */
export function generateOtp(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

/** The stored form: HMAC-SHA256 under the server key, bound to the request it was issued for. */
export function hashOtp(key: Buffer, requestId: string, code: string): Buffer {
  return createHmac('sha256', key).update(`${requestId}:${code}`, 'utf8').digest();
}

export function otpMatches(key: Buffer, requestId: string, code: string, stored: Buffer): boolean {
  const actual = hashOtp(key, requestId, code);
  return stored.length === actual.length && timingSafeEqual(stored, actual);
}

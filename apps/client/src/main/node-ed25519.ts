import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { Ed25519Verify } from '../lock/verdict.js';

/** Ed25519 through node:crypto, for Electron main and tests under Node. The raw key is the JWK `x`. */
export const nodeEd25519Verify: Ed25519Verify = async (publicKey, message, signature) => {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return verify(null, message, key, signature);
};

export const nodeRandomBytes = (length: number): Uint8Array => new Uint8Array(randomBytes(length));

import { randomBytes } from 'node:crypto';

/** A fresh verify nonce, as a Client makes one per call (128 bits, base64url). */
export const testNonce = (): string => randomBytes(16).toString('base64url');

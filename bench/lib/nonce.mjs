import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let at = 0;

/**
 * A fresh nonce per verify, as the Client sends it: the server then signs a verdict (Ed25519) on every
 * success. Cut from a pool of random bytes: a real Client makes one on its own computer, and a
 * randomBytes() call per verify (5-20 µs) would take the load generator's CPU from the server's.
 */
export function nonce() {
  if (at + 16 > pool.length) [pool, at] = [randomBytes(4096), 0];
  at += 16;
  return pool.toString('base64url', at - 16, at);
}

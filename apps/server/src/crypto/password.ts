import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ThreadPool } from './thread-pool.js';

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/** Password hashing (scrypt), each check a job on the server's thread pool. */
export interface Passwords {
  /** `scrypt$N$r$p$salt$hash`, base64 parts. */
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export function createPasswords(pool: ThreadPool): Passwords {
  const scrypt = (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
    pool.submit<Buffer>((done) =>
      scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, done),
    );
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await scrypt(password, salt, PARAMS);
      return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
    },
    async verify(password, stored) {
      const [scheme, n, r, p, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
      const expected = Buffer.from(hash, 'base64');
      const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

/** Checked against when a login does not exist, so unknown and known logins take the same time. */
export const DUMMY_PASSWORD_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

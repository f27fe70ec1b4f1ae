import { mkdtempSync, rmSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../src/crypto/password.js';
import { loadSigningKey } from '../../src/crypto/signing-key.js';
import { createThreadPool, threadPool } from '../../src/crypto/thread-pool.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function signingKey() {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pool-'));
  dirs.push(dir);
  return loadSigningKey(dir, undefined);
}

const verifies = (publicKey: string, message: Uint8Array, signature: string) =>
  verify(
    null,
    message,
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );

describe("verdict signatures and libuv's thread pool", () => {
  it('signs on the pool while a thread is free, and counts the job until it ends', async () => {
    const key = signingKey();
    const message = new TextEncoder().encode('verdict');
    const signing = key.sign(message);
    expect(threadPool.busy).toBe(1);
    const signature = await signing;
    expect(threadPool.busy).toBe(0);
    expect(verifies(key.publicKey, message, signature)).toBe(true);
  });

  it('signs on the event loop when password checks fill the pool, instead of waiting behind them', async () => {
    const key = signingKey();
    const message = new TextEncoder().encode('verdict while the pool is full');
    const finished: string[] = [];
    // As a flood of wrong passwords does: every thread of the pool busy with scrypt (40-60 ms each).
    const checks = Array.from({ length: threadPool.size }, () =>
      verifyPassword('wrong password', DUMMY_PASSWORD_HASH).then(() => finished.push('password check')),
    );
    expect(threadPool.hasFreeThread()).toBe(false);
    const signed = key.sign(message).then((signature) => {
      finished.push('signature');
      return signature;
    });
    const [signature] = await Promise.all([signed, ...checks]);
    expect(finished[0]).toBe('signature');
    expect(verifies(key.publicKey, message, signature)).toBe(true);
    expect(threadPool.busy).toBe(0);
  });

  it('counts a job that fails, and one that throws before it starts', async () => {
    const pool = createThreadPool(2);
    await expect(pool.submit((done) => setImmediate(() => done(new Error('scrypt failed'), undefined)))).rejects.toThrow('scrypt failed');
    await expect(
      pool.submit(() => {
        throw new Error('bad arguments');
      }),
    ).rejects.toThrow('bad arguments');
    expect(pool.busy).toBe(0);
    pool.resize(1);
    const one = pool.submit<number>((done) => setImmediate(() => done(null, 1)));
    expect(pool.hasFreeThread()).toBe(false);
    expect(await one).toBe(1);
    expect(pool.hasFreeThread()).toBe(true);
  });

  it('still hashes and checks passwords through the pool', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong', stored)).toBe(false);
    expect(threadPool.busy).toBe(0);
  });
});

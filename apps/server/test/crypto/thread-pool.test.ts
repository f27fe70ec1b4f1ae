import { mkdtempSync, rmSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasswords, DUMMY_PASSWORD_HASH } from '../../src/crypto/password.js';
import { loadSigningKey } from '../../src/crypto/signing-key.js';
import { createThreadPool, type ThreadPool } from '../../src/crypto/thread-pool.js';
import { buildTestApp, type TestApp } from '../helper.js';

const dirs: string[] = [];
const apps: TestApp[] = [];
afterEach(async () => {
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  await Promise.all(apps.splice(0).map((t) => t.destroy()));
});

function signingKey(pool: ThreadPool) {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pool-'));
  dirs.push(dir);
  return loadSigningKey(dir, undefined, pool);
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
    const threadPool = createThreadPool(4);
    const key = signingKey(threadPool);
    const message = new TextEncoder().encode('verdict');
    const signing = key.sign(message);
    expect(threadPool.busy).toBe(1);
    const signature = await signing;
    expect(threadPool.busy).toBe(0);
    expect(verifies(key.publicKey, message, signature)).toBe(true);
  });

  it('signs on the event loop when password checks fill the pool, instead of waiting behind them', async () => {
    const threadPool = createThreadPool(4);
    const key = signingKey(threadPool);
    const passwords = createPasswords(threadPool);
    const message = new TextEncoder().encode('verdict while the pool is full');
    const finished: string[] = [];
    // As a flood of wrong passwords does: every thread of the pool busy with scrypt (40-60 ms each).
    const checks = Array.from({ length: threadPool.size }, () =>
      passwords.verify('wrong password', DUMMY_PASSWORD_HASH).then(() => finished.push('password check')),
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
    const one = pool.submit<number>((done) => setImmediate(() => done(null, 1)));
    const two = pool.submit<number>((done) => setImmediate(() => done(null, 2)));
    expect(pool.hasFreeThread()).toBe(false);
    expect(await Promise.all([one, two])).toEqual([1, 2]);
    expect(pool.hasFreeThread()).toBe(true);
  });

  it('still hashes and checks passwords through the pool', async () => {
    const threadPool = createThreadPool(4);
    const passwords = createPasswords(threadPool);
    const stored = passwords.hash('correct horse battery');
    expect(threadPool.busy).toBe(1);
    expect(await passwords.verify('correct horse battery', await stored)).toBe(true);
    expect(await passwords.verify('wrong', await stored)).toBe(false);
    expect(threadPool.busy).toBe(0);
  });

  it("gives each server its own gauge, sized as libuv's pool (UV_THREADPOOL_SIZE), that its signatures and password checks count on", async () => {
    const one = await buildTestApp({ env: { UV_THREADPOOL_SIZE: '2' } });
    apps.push(one);
    const other = await buildTestApp();
    apps.push(other);
    expect(one.app.threadPool.size).toBe(2);
    expect(other.app.threadPool.size).toBe(4);

    const signing = one.app.signingKey.sign(new TextEncoder().encode('verdict'));
    expect(one.app.threadPool.busy).toBe(1);
    expect(other.app.threadPool.busy).toBe(0);
    await signing;
    expect(one.app.threadPool.busy).toBe(0);

    // A sign-in checks its password on its server's pool.
    let busyDuringSignIn = 0;
    const probe = setInterval(() => (busyDuringSignIn = Math.max(busyDuringSignIn, other.app.threadPool.busy)), 1);
    await other.adminToken();
    clearInterval(probe);
    expect(busyDuringSignIn).toBe(1);
    expect(one.app.threadPool.busy).toBe(0);
  });
});

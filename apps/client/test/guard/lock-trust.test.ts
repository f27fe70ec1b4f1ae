import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemFileStorage } from '../../src/guard/windows-host.js';
import { ICACLS, installMachine, SCHTASKS, type CommandResult } from '../../src/main/installer-steps.js';
import {
  ensureLockTrust,
  GUARD_IDENTITY_FILE,
  guardStorageDir,
  lockTrustPath,
  parseLockTrust,
  readLockTrust,
} from '../../src/main/lock-trust.js';

const SERVER_KEY = 'M'.repeat(42) + 'A';
const MACHINE = { serverPublicKey: SERVER_KEY, serverUrls: ['https://a.example.com', 'https://b.example.com'] };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** %ProgramData%\Latchkey as a temporary folder, with the elevated installer's run recorded (icacls answers as told). */
function computer(icacls: (args: readonly string[]) => CommandResult = () => ({ status: 0, output: 'processed 1 files' })) {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-trust-'));
  dirs.push(dir);
  const configPath = join(dir, 'client.json');
  const ran: string[][] = [];
  const run = (command: string, args: readonly string[]) => {
    ran.push([command, ...args]);
    return command === ICACLS ? icacls(args) : { status: 0, output: 'SUCCESS' };
  };
  const install = () =>
    installMachine({
      command: 'C:\\Program Files\\Latchkey\\Latchkey.exe',
      configPath,
      workDir: dir,
      run,
      exists: () => false,
      writeFile: (path, data) => writeFileSync(path, data),
      lockTrust: (restrict) => ensureLockTrust(configPath, MACHINE, systemFileStorage(guardStorageDir(configPath)), restrict),
    });
  return { dir, configPath, ran, install };
}

describe('the lock trust file and the guard identity key (lock-trust.ts)', () => {
  it('the installer makes the key, writes the trust file and restricts it with exactly these icacls arguments before it takes its name', () => {
    const c = computer();
    expect(c.install()).toMatchObject({ ok: true });
    const next = `${lockTrustPath(c.configPath)}.new`;
    expect(c.ran.filter(([command]) => command === ICACLS)).toEqual([
      [ICACLS, next, '/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F', '*S-1-5-32-545:R'],
    ]);
    // Before the tasks: the guard never serves a channel the locks cannot check.
    expect(c.ran.findIndex(([command]) => command === SCHTASKS)).toBeGreaterThan(0);
    expect(existsSync(next)).toBe(false);
    const trust = parseLockTrust(readFileSync(lockTrustPath(c.configPath), 'utf8'));
    expect(trust).toMatchObject({ serverPublicKey: SERVER_KEY, serverUrls: MACHINE.serverUrls });

    // The private half is in the guard's storage folder, and it signs what the trust file's public half verifies.
    const identity = JSON.parse(readFileSync(join(guardStorageDir(c.configPath), GUARD_IDENTITY_FILE), 'utf8')) as { privateKey: string };
    expect(identity.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = ensureLockTrust(c.configPath, MACHINE, systemFileStorage(guardStorageDir(c.configPath)), () => undefined);
    expect(again.publicKey).toBe(trust.guardPublicKey);
    const message = new TextEncoder().encode('m');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trust.guardPublicKey }, format: 'jwk' });
    expect(verify(null, message, publicKey, again.sign(message))).toBe(true);
  });

  it('icacls refused: the install stops, no trust file takes the name, and no task is registered', () => {
    const c = computer(() => ({ status: 5, output: 'Access is denied.' }));
    const result = c.install();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^Could not write the lock trust file: icacls .*lock-trust\.json\.new \/inheritance:r .*Access is denied\. \(exit code 5\)\.$/,
    );
    expect(existsSync(lockTrustPath(c.configPath))).toBe(false);
    expect(c.ran.some(([command]) => command === SCHTASKS)).toBe(false);
  });

  it('the lock reads it: missing, unreadable or damaged are told apart (an installer-enrolled lock fails closed on all but a good file)', () => {
    const c = computer();
    const path = lockTrustPath(c.configPath);
    expect(readLockTrust(path)).toBeUndefined();
    writeFileSync(path, '{"version":1,"guardPublicKey":"x"}');
    expect(readLockTrust(path)).toEqual({ problem: expect.stringContaining('guardPublicKey is missing or malformed') });
    mkdirSync(`${path}.dir`);
    expect(readLockTrust(`${path}.dir`)).toEqual({ problem: expect.stringContaining('EISDIR') });
    c.install();
    expect(readLockTrust(path)).toMatchObject({ trust: { serverPublicKey: SERVER_KEY } });
  });
});

import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import {
  HIGH_RATE_LIMITS,
  otpFromMail,
  refusalOf,
  runPool,
  startServerProcess,
  type ServerProcess,
  testNonce,
} from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

const CLI = (name: 'backup' | 'restore') => fileURLToPath(new URL(`../../dist/cli/${name}.js`, import.meta.url));

/** Runs the built CLI as `npm run backup|restore` would, without blocking the event loop (the server under test answers meanwhile). */
function runCli(name: 'backup' | 'restore', args: string[], dataDir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI(name), ...args], { env: { PATH: process.env.PATH ?? '', LATCHKEY_DATA_DIR: dataDir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

const TABLES = ['clients', 'users', 'otp_requests', 'sessions', 'audit_events', 'mail_queue'];
function counts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

describe('backup during a logon storm, restore into a new data dir (the restore drill)', () => {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-drill-'));
  const backupFile = join(work, 'latchkey-backup.db');
  const restoredDir = join(work, 'restored');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const server = useServerProcess({ smtp: true, env: HIGH_RATE_LIMITS });
  let restored: ServerProcess | undefined;
  afterAll(async () => restored?.destroy());

  it('copies consistently while serving, refuses to restore over a running server, and the restored server verifies an OTP issued before the backup', async () => {
    const admin = await server.login();
    const client = await server.enroll('PC-DRILL');
    const before = { osUser: 'CORP\\before', email: 'before@corp.example.com' };
    await server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, ...before } });
    const otpBefore = otpFromMail(await server.smtp.waitFor((m) => m.to.includes(before.email)));

    // The storm: many computers enrolling, fetching policy, getting OTPs and typing wrong codes, all at once.
    let stormDone = false;
    let n = 0;
    const storm = runPool(250, 24, async () => {
      const i = n++;
      const c = await server.enroll(`PC-STORM-${i}`);
      await server.api(c.clientToken)(routes.getPolicy, {});
      const who = { osUser: `CORP\\storm${i}`, email: `storm${i}@corp.example.com` };
      await server.api(admin)(routes.generateOtp, { body: { clientId: c.clientId, ...who } });
      const wrong = server.api(c.clientToken)(routes.verifyOtp, { body: { ...who, otp: '00000000', nonce: testNonce() } });
      expect((await refusalOf(wrong))?.status).toBe(401);
    }).finally(() => (stormDone = true));
    while (n < 40) await new Promise((r) => setTimeout(r, 20));

    const backup = await runCli('backup', ['--to', backupFile], server.dataDir);
    expect(backup.out).toMatch(/backed up/);
    expect(backup.code, backup.out).toBe(0);
    // Only its owner reads the copy (password hashes, sealed OTPs); its SHA-256 is beside it, as sha256sum writes it.
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const sha256 = createHash('sha256').update(readFileSync(backupFile)).digest('hex');
    expect(readFileSync(`${backupFile}.sha256`, 'utf8')).toBe(`${sha256}  latchkey-backup.db\n`);
    expect(stormDone, 'the backup finished while the storm was still running').toBe(false);

    // Restoring over the data dir of the running server is refused, and changes nothing.
    const refused = await runCli('restore', ['--from', backupFile], server.dataDir);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(new RegExp(`refused: a Latchkey server \\(pid ${server.pid}\\) is running on this data dir`));

    // Nor does a second server start on it.
    await expect(startServerProcess({ dataDir: server.dataDir })).rejects.toThrow(
      /a Latchkey server \(pid \d+\) is running on this data dir/,
    );

    // Every call of the storm answered as it should (a typed call throws on anything else).
    await storm;
    const live = counts(join(server.dataDir, 'latchkey.db'));
    await server.stop();

    // A new machine: the backup and the key file of the same data dir.
    const copied = counts(backupFile);
    expect(copied.clients).toBeGreaterThan(40);
    expect(copied.clients).toBeLessThan(live.clients!);
    const noKey = join(work, 'no-key');
    const withoutKey = await runCli('restore', ['--from', backupFile], noKey);
    expect(withoutKey.code).toBe(0);
    expect(withoutKey.out).toMatch(/WARNING: there is no secret\.key/);

    mkdirSync(restoredDir, { mode: 0o700 });
    for (const key of ['secret.key', 'signing.key']) copyFileSync(join(server.dataDir, key), join(restoredDir, key));
    const restore = await runCli('restore', ['--from', backupFile], restoredDir);
    expect(restore.code, restore.out).toBe(0);
    expect(statSync(join(restoredDir, 'latchkey.db')).mode & 0o777).toBe(0o600);
    expect(restore.out).toMatch(/the server key in the data dir opens this backup/);
    expect(counts(join(restoredDir, 'latchkey.db'))).toEqual(copied);

    restored = await startServerProcess({ smtpUrl: server.smtp.url, dataDir: restoredDir });
    const restoredAdmin = await restored.login();
    expect(await restored.api(restoredAdmin)(routes.listClients, {})).toHaveLength(copied.clients!);
    // The OTP issued before the backup still verifies on the restored server, once.
    const verify = () => restored!.api(client.clientToken)(routes.verifyOtp, { body: { ...before, otp: otpBefore, nonce: testNonce() } });
    await verify();
    await expect(verify()).rejects.toMatchObject({ status: 401 });
  }, 120_000);

  it('refuses a copy changed after the backup though its b-tree is whole, and one without its checksum', async () => {
    const target = join(work, 'tampered-target');
    const tampered = join(work, 'tampered.db');
    copyFileSync(backupFile, tampered);
    copyFileSync(`${backupFile}.sha256`, `${tampered}.sha256`);
    // One letter of a stored value, changed in place where SQLite's integrity check still passes.
    const bytes = readFileSync(tampered);
    const needle = Buffer.from('@corp.example.com');
    let changed = false;
    for (let at = bytes.indexOf(needle); at !== -1 && !changed; at = bytes.indexOf(needle, at + 1)) {
      bytes[at + 1] = 'x'.charCodeAt(0);
      writeFileSync(tampered, bytes);
      const db = new Database(tampered, { readonly: true });
      changed = db.pragma('integrity_check', { simple: true }) === 'ok';
      db.close();
      if (!changed) bytes[at + 1] = 'c'.charCodeAt(0);
    }
    expect(changed).toBe(true);
    const refused = await runCli('restore', ['--from', tampered], target);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/refused: .*tampered\.db does not match its checksum in .*tampered\.db\.sha256/);
    expect(existsSync(join(target, 'latchkey.db'))).toBe(false);

    rmSync(`${tampered}.sha256`);
    const missing = await runCli('restore', ['--from', tampered], target);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/refused: .*tampered\.db\.sha256 is missing.*add --ignore-checksum/);
    expect(existsSync(join(target, 'latchkey.db'))).toBe(false);

    // Knowingly: the operator says so, and is told again.
    const knowingly = await runCli('restore', ['--from', tampered, '--ignore-checksum'], target);
    expect(knowingly.code, knowingly.out).toBe(0);
    expect(knowingly.out).toMatch(/WARNING: --ignore-checksum/);
  });

  it('refuses a damaged copy, a copy newer than the code, and something that is not a database', async () => {
    const target = join(work, 'refusals');
    const damaged = join(work, 'damaged.db');
    copyFileSync(backupFile, damaged);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 2);
    closeSync(fd);
    const one = await runCli('restore', ['--from', damaged, '--ignore-checksum'], target);
    expect(one.code).toBe(1);
    expect(one.out).toMatch(/refused: .*damaged\.db (fails its integrity check|cannot be opened as a database)/);

    const newer = join(work, 'newer.db');
    copyFileSync(backupFile, newer);
    const db = new Database(newer);
    db.pragma('user_version = 9990');
    db.close();
    const two = await runCli('restore', ['--from', newer, '--ignore-checksum'], target);
    expect(two.code).toBe(1);
    expect(two.out).toMatch(/refused: .*newer\.db is at schema version 9990, newer than this Latchkey/);

    const text = join(work, 'notes.txt');
    copyFileSync(fileURLToPath(import.meta.url), text);
    const three = await runCli('restore', ['--from', text, '--ignore-checksum'], target);
    expect(three.code).toBe(1);
    expect(three.out).toMatch(/refused: .*notes\.txt is not a SQLite database/);
    expect(existsSync(join(target, 'latchkey.db'))).toBe(false);
  });
});

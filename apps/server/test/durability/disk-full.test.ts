import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type ApiError, type EnrollResult } from '@latchkey/contracts';
import { otpFromMail, refusalOf, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/**
 * A small tmpfs of its own is the real thing: writes fail with ENOSPC or EROFS from the kernel.
 * Mounting needs root (or CAP_SYS_ADMIN); without it these tests are skipped and say so.
 */
function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountPoint = mkdtempSync(join(tmpdir(), 'latchkey-smallfs-'));
const mounted = tryMount(mountPoint);
if (!mounted) console.warn(`disk-full tests skipped: cannot mount a tmpfs at ${mountPoint} (needs root)`);

/** Fills the filesystem to the last byte with a file that can be deleted to give the space back. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full. Top up the remainder with small writes.
    const small = Buffer.alloc(512, 1);
    try {
      for (;;) writeSync(fd, small);
    } catch {
      // full to the block
    }
  } finally {
    closeSync(fd);
  }
}

function integrity(dataDir: string): string {
  const db = new Database(join(dataDir, 'latchkey.db'), { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

const expectUnavailable = (refusal: ApiError | undefined, what: string) => {
  expect(refusal, what).toMatchObject({ status: 503, code: 'service_unavailable', retryAfterSeconds: 30 });
  expect(refusal?.message).not.toMatch(/SQLITE|disk|full|readonly/i);
};

const LIMITS = { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000', LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000' };

describe.skipIf(!mounted)('a full disk (small tmpfs)', () => {
  const dataDir = join(mountPoint, 'data');
  beforeAll(() => {
    mkdirSync(dataDir);
  });
  afterAll(() => {
    if (mounted) {
      try {
        execFileSync('mount', ['-o', 'remount,rw', mountPoint], { stdio: 'ignore' });
      } catch {
        // already writable
      }
      execFileSync('umount', [mountPoint], { stdio: 'ignore' });
    }
    rmSync(mountPoint, { recursive: true, force: true });
  });
  // Stopped before the afterAll above unmounts (after-hooks run last-registered first).
  const server = useServerProcess({ smtp: true, dataDir, env: LIMITS });
  let admin: string;
  let client: EnrollResult;
  beforeAll(async () => {
    admin = await server.login();
    client = await server.enroll('PC-FULL');
  });

  let n = 0;
  const logon = () => {
    n++;
    const osUser = `CORP\\full${n}`;
    const email = `full${n}@corp.example.com`;
    const gen = server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, osUser, email } });
    return { gen, osUser, email };
  };
  const verifyFromMail = async (osUser: string, email: string) => {
    const otp = otpFromMail(await server.smtp.waitFor((m) => m.to.includes(email), 15_000));
    return server.api(client.clientToken)(routes.verifyOtp, { body: { osUser, email, otp, nonce: testNonce() } });
  };

  it('answers 503 service_unavailable while the disk is full, stays intact, and recovers when space returns', async () => {
    const before = logon();
    await before.gen;

    const filler = join(mountPoint, 'filler');
    fill(filler);
    // A burst of writes: each must fail cleanly, none may crash the server or half-apply.
    const refusals: (ApiError | undefined)[] = [];
    for (let i = 0; i < 20; i++) refusals.push(await refusalOf(logon().gen));
    const unavailable = refusals.filter((r) => r !== undefined);
    expect(unavailable.length, refusals.map((r) => r?.status ?? 201).join(',')).toBeGreaterThan(0);
    for (const r of unavailable) expectUnavailable(r, 'generate on a full disk');
    // Still alive; readiness may or may not find room for its probe write, and if not it names the database.
    // Raw (`send`): readiness's 503 carries its checks beside the error, which the typed call does not read.
    const health = await server.send(routes.health);
    if (health.status !== 200) expect(health.json?.error?.message).toBe('Not ready: database.');

    rmSync(filler);
    expect(integrity(dataDir)).toBe('ok');
    const after = logon();
    await after.gen;
    await verifyFromMail(after.osUser, after.email);
    // The OTP issued before the disk filled still works too.
    await verifyFromMail(before.osUser, before.email);
  }, 60_000);
});

/**
 * A filesystem that turns read-only under the running server, as ext4 does after an I/O error
 * (errors=remount-ro): a loop-mounted ext4 image and the kernel's trigger_fs_error switch.
 */
function tryLoopExt4(image: string, dir: string): string | undefined {
  try {
    execFileSync('truncate', ['-s', '32M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, dir], { stdio: 'ignore' });
    const device = execFileSync('findmnt', ['-no', 'SOURCE', dir], { encoding: 'utf8' }).trim();
    const trigger = `/sys/fs/ext4/${device.split('/').pop()}/trigger_fs_error`;
    if (!existsSync(trigger)) {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      return undefined;
    }
    return trigger;
  } catch {
    return undefined;
  }
}

const roDir = mkdtempSync(join(tmpdir(), 'latchkey-rofs-'));
const roImage = `${roDir}.img`;
const trigger = tryLoopExt4(roImage, roDir);
if (!trigger) console.warn('read-only tests skipped: cannot loop-mount an ext4 image with trigger_fs_error (needs root)');

describe.skipIf(!trigger)('a database whose filesystem turns read-only under the server (ext4 errors=remount-ro)', () => {
  const dataDir = join(roDir, 'data');
  beforeAll(() => {
    mkdirSync(dataDir);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [roDir], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
    rmSync(roDir, { recursive: true, force: true });
    rmSync(roImage, { force: true });
  });

  const server = useServerProcess({ smtp: true, dataDir, env: LIMITS });

  it('answers 503 service_unavailable, and after fsck and a restart the database is intact and the OTP still unused', async () => {
    const admin = await server.login();
    const client = await server.enroll('PC-RO');
    const generate = (osUser: string, email: string) =>
      server.api(admin)(routes.generateOtp, { body: { clientId: client.clientId, osUser, email } });
    await generate('CORP\\ro1', 'ro1@corp.example.com');
    const otp = otpFromMail(await server.smtp.waitFor((m) => m.to.includes('ro1@'), 15_000));

    writeFileSync(trigger!, '1');
    expect(execFileSync('findmnt', ['-no', 'OPTIONS', roDir], { encoding: 'utf8' })).toMatch(/\bro\b|emergency_ro/);
    expectUnavailable(await refusalOf(generate('CORP\\ro2', 'ro2@corp.example.com')), 'generate on a read-only filesystem');
    const verify = () =>
      server.api(client.clientToken)(routes.verifyOtp, {
        body: { osUser: 'CORP\\ro1', email: 'ro1@corp.example.com', otp, nonce: testNonce() },
      });
    expectUnavailable(await refusalOf(verify()), 'verify on a read-only filesystem');
    // Readiness sees it: a load balancer takes this server out.
    await new Promise((r) => setTimeout(r, 1100));
    // Raw (`send`): readiness's 503 carries its checks beside the error, which the typed call does not read.
    const health = await server.send(routes.health);
    expect(health.status).toBe(503);
    expect(health.json.error).toEqual({ code: 'service_unavailable', message: 'Not ready: database.' });

    // What an operator does: stop, repair, mount again, start.
    await server.stop();
    execFileSync('umount', [roDir], { stdio: 'ignore' });
    const fsck = spawnSync('e2fsck', ['-fy', roImage], { stdio: 'ignore' });
    expect([0, 1]).toContain(fsck.status);
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', roImage, roDir], { stdio: 'ignore' });
    expect(integrity(dataDir)).toBe('ok');

    await server.restart();
    await verify();
    await generate('CORP\\ro3', 'ro3@corp.example.com');
  }, 60_000);
});

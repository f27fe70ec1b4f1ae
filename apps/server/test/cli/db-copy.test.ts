import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, routes } from '@latchkey/contracts';
import {
  ADMIN_PASSWORD,
  ENROLLMENT_KEY,
  HIGH_RATE_LIMITS,
  otpFromMail,
  postgresSkipReason,
  startPostgres,
  startServerProcess,
  startSmtpSink,
  testNonce,
  type PostgresCluster,
  type ServerProcess,
  type SmtpSink,
} from '@latchkey/test-support';

const CLI = fileURLToPath(new URL('../../dist/cli/db-copy.js', import.meta.url));

/** Runs the built CLI as `npm run db:copy` would, with nothing of this process's environment but PATH. */
function dbCopy(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

type Rows = Record<string, unknown>[];

/** One value as both engines mean it: integers (number, BigInt or int8 text) as decimal text, blobs as hex. */
const normalise = (value: unknown): unknown =>
  value === null ? null : Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : typeof value === 'string' ? value : String(value);
const normaliseRows = (rows: Rows): string[] =>
  rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])))).sort();

function sqliteTables(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")
      .all()
      .map((r) => r.name);
    return new Map(names.map((name) => [name, normaliseRows(db.prepare(`SELECT * FROM "${name}"`).safeIntegers(true).all() as Rows)]));
  } finally {
    db.close();
  }
}

async function postgresTables(url: string): Promise<Map<string, string[]>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const names = await sql<{ name: string }[]>`
      SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version' ORDER BY 1`;
    const tables = new Map<string, string[]>();
    for (const { name } of names) tables.set(name, normaliseRows(Array.from(await sql<Rows>`SELECT * FROM ${sql(name)}`)));
    return tables;
  } finally {
    await sql.end();
  }
}

describe.skipIf(postgresSkipReason() !== undefined)('npm run db:copy: a SQLite deployment moved onto PostgreSQL', () => {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-db-copy-'));
  let smtp: SmtpSink;
  let pg: PostgresCluster;
  let server: ServerProcess | undefined;
  let running: ServerProcess | undefined;
  /** What the deployment handed out before the move, to be used after it. */
  let handedOut: {
    admin: string;
    lock: { clientId: string; clientToken: string };
    second: { clientId: string; clientToken: string };
    sessionId: string;
    bobOtp: string;
  };
  let source: string;
  let databases = 0;
  const password = 'latchkey-test-password';
  const freshTarget = () => pg.createDatabase(`copy_${++databases}`);
  const tableCount = (database: string) => pg.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database);

  beforeAll(async () => {
    [smtp, pg] = await Promise.all([startSmtpSink(), startPostgres()]);
    server = await startServerProcess({ smtpUrl: smtp.url, env: HIGH_RATE_LIMITS });
    source = join(server.dataDir, 'latchkey.db');
    const api = (token?: string) => createApiClient({ baseUrl: server!.baseUrl, fetch, token: () => token });

    // A working deployment, through its HTTP API: settings, staff, three kinds of Client, a removed one.
    const { token: admin } = await api()(routes.adminLogin, { body: { login: 'admin', password: ADMIN_PASSWORD } });
    await api(admin)(routes.putSettings, { body: { helpdeskContact: 'Helpdesk, extension 4711', lockTitle: 'Locked by Latchkey' } });
    await api(admin)(routes.createUser, {
      body: {
        login: 'Helen',
        password: 'helen-password-1',
        email: 'helen@corp.example.com',
        role: 'helpdesk',
        windowsAccounts: ['CORP\\helen'],
      },
    });
    await expect(api()(routes.adminLogin, { body: { login: 'mallory', password: 'guessed-password' } })).rejects.toMatchObject({
      status: 401,
    });
    const { token: helpdesk } = await api()(routes.adminLogin, { body: { login: 'helen', password: 'helen-password-1' } });
    const enroll = (computerName: string, role?: 'machine' | 'guard') =>
      api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName, ...(role ? { role } : {}) } });
    const lock = await enroll('PC-0001');
    const machine = await enroll('PC-0002', 'machine');
    const guard = await enroll('PC-0002', 'guard');
    const removed = await enroll('PC-OLD');
    await api(admin)(routes.deleteClient, { params: { clientId: removed.clientId } });
    await api(machine.clientToken)(routes.createUserToken, { body: { osUser: 'CORP\\ann' } });

    // A request mailed to a wrong address, cancelled, and the corrected one through the interval:
    // the cancelled request names the later one (otp_requests refers to itself).
    const ask = (email: string) =>
      api(lock.clientToken)(routes.createOtpRequest, { body: { osUser: 'CORP\\ann', method: 'email', email } });
    const wrong = await ask('ann@crop.example.com');
    await api(helpdesk)(routes.approveAccessRequest, { params: { requestId: wrong.requestId }, body: {} });
    await smtp.waitFor((m) => m.to.includes('ann@crop.example.com'));
    await api(lock.clientToken)(routes.cancelOtpRequest, { params: { requestId: wrong.requestId } });
    const corrected = await ask('ann@corp.example.com');
    await api(helpdesk)(routes.approveAccessRequest, { params: { requestId: corrected.requestId }, body: { comment: 'called back' } });
    const otp = otpFromMail(await smtp.waitFor((m) => m.to.includes('ann@corp.example.com')));
    const ann = { osUser: 'CORP\\ann', email: 'ann@corp.example.com' };
    const { sessionId } = await api(lock.clientToken)(routes.verifyOtp, { body: { ...ann, otp, nonce: testNonce() } });
    await api(lock.clientToken)(routes.heartbeat, { params: { sessionId: sessionId! } });
    const now = Date.now();
    await api(lock.clientToken)(routes.postSessionEvents, {
      params: { sessionId: sessionId! },
      body: {
        events: [
          { type: 'unlock.otp', at: now - 2000 },
          { type: 'idle', at: now - 1000 },
        ],
      },
    });

    // A wrong code against another live OTP, a pending request nobody decided, a denied one.
    const bob = { osUser: 'CORP\\bob', email: 'bob@corp.example.com' };
    const second = await enroll('PC-0003');
    await api(admin)(routes.generateOtp, { body: { clientId: second.clientId, ...bob } });
    const bobOtp = otpFromMail(await smtp.waitFor((m) => m.to.includes(bob.email)));
    await expect(
      api(second.clientToken)(routes.verifyOtp, { body: { ...bob, otp: '00000000', nonce: testNonce() } }),
    ).rejects.toMatchObject({ status: 401 });
    const third = await enroll('PC-0004');
    const carl = await api(third.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\carl', method: 'email', email: 'carl@corp.example.com' },
    });
    await api(admin)(routes.denyAccessRequest, { params: { requestId: carl.requestId }, body: { comment: 'not known' } });

    // An offline unlock: the helpdesk's response, and the guard's report of it.
    const challenge = 'ABCDEFGH';
    await api(helpdesk)(routes.offlineResponse, {
      params: { clientId: machine.clientId },
      body: { osUser: 'CORP\\dora', challenge, reason: 'Ticket 12: on a plane' },
    });
    await api(guard.clientToken)(routes.reportOfflineUnlock, {
      body: { osUser: 'CORP\\dora', challenge, challengeIssuedAt: Date.now() - 60_000, usedAt: Date.now() - 30_000, keyVersion: 1 },
    });
    handedOut = { admin, lock, second, sessionId: sessionId!, bobOtp };
    await server.stop();
  }, 120_000);

  afterAll(async () => {
    await running?.destroy();
    await server?.destroy();
    await smtp?.stop();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('copies every row of every table, equal value for value, and prints one line per table but never the password', async () => {
    const before = sqliteTables(source);
    const empty = [...before].filter(([, rows]) => rows.length === 0).map(([name]) => name);
    expect(empty, 'the deployment has a row in every table, so every table is really copied').toEqual([]);

    const target = freshTarget();
    expect(target).toContain(`:${password}@`);
    const files = readdirSync(server!.dataDir).sort();
    const copy = await dbCopy(['--from', source, '--to', target]);
    expect(copy.code, copy.out).toBe(0);
    // Nothing left beside the database (a -wal or -shm owned by whoever ran the copy would keep the server out).
    expect(readdirSync(server!.dataDir).sort()).toEqual(files);
    expect(copy.out).not.toContain(password);
    expect(copy.out).toContain('postgres://latchkey:***@');
    for (const [table, rows] of before) {
      expect(copy.out).toMatch(new RegExp(`latchkey: ${table} +${rows.length} rows? copied, counts equal`));
    }
    // The server's own key files, checked against the fingerprints the database records.
    expect(copy.out).toContain(`LATCHKEY_SECRET_FILE=${join(server!.dataDir, 'secret.key')} (the key this database records)`);
    expect(copy.out).toContain(`LATCHKEY_SIGNING_KEY_FILE=${join(server!.dataDir, 'signing.key')} (the key this database records)`);

    const after = await postgresTables(target);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [table, rows] of before) expect(after.get(table), table).toEqual(rows);
    // The next audit event and mail take ids past the copied ones.
    const nextId = pg.psql(
      "SELECT nextval(pg_get_serial_sequence('audit_events', 'id'))",
      decodeURIComponent(new URL(target).pathname.slice(1)),
    );
    const highest = Math.max(...before.get('audit_events')!.map((r) => Number((JSON.parse(r) as { id: string }).id)));
    expect(Number(nextId)).toBe(highest + 1);
  });

  it('copies a table that refers to itself one row per statement, and checks the nodes’ key files', async () => {
    const requests = sqliteTables(source)
      .get('otp_requests')!
      .map((r) => JSON.parse(r) as { id: string; interval_waived_for: string | null });
    // The cancelled request names the corrected one, written after it.
    expect(requests.filter((r) => r.interval_waived_for !== null)).toHaveLength(1);
    const target = freshTarget();
    // The nodes' key files, checked as the nodes will read them: here, another signing key.
    const otherKey = join(work, 'other-signing.key');
    writeFileSync(otherKey, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const copy = await dbCopy(['--from', source, '--batch-rows', '1'], {
      LATCHKEY_DATABASE_URL: target,
      LATCHKEY_SECRET_FILE: join(server!.dataDir, 'secret.key'),
      LATCHKEY_SIGNING_KEY_FILE: otherKey,
    });
    expect(copy.code, copy.out).toBe(0);
    expect(copy.out).toContain(`LATCHKEY_SECRET_FILE=${join(server!.dataDir, 'secret.key')} (the key this database records)`);
    expect(copy.out).toContain(`LATCHKEY_SIGNING_KEY_FILE=${otherKey} (WARNING: not the key this database records)`);
    expect((await postgresTables(target)).get('otp_requests')).toEqual(sqliteTables(source).get('otp_requests'));
  });

  it('reads the write-ahead log a crash left, and leaves nothing beside the database it read', async () => {
    // A server killed mid-write: its last commit is only in latchkey.db-wal.
    const crashed = mkdtempSync(join(work, 'crashed-'));
    copyFileSync(source, join(crashed, 'latchkey.db'));
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, join(crashed, 'latchkey.db-wal'));
    const live = new Database(join(crashed, 'latchkey.db'));
    live.pragma('wal_autocheckpoint = 0');
    live.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('lockMessage', '\"written just before the crash\"')").run();
    const left = mkdtempSync(join(work, 'left-'));
    for (const file of ['latchkey.db', 'latchkey.db-wal']) copyFileSync(join(crashed, file), join(left, file));
    live.close();
    expect(readdirSync(left).sort()).toEqual(['latchkey.db', 'latchkey.db-wal']);

    const target = freshTarget();
    const copy = await dbCopy(['--from', join(left, 'latchkey.db'), '--to', target]);
    expect(copy.code, copy.out).toBe(0);
    expect((await postgresTables(target)).get('settings')).toContainEqual(
      JSON.stringify({ key: 'lockMessage', value: '"written just before the crash"' }),
    );
    // No -shm (nor anything else) owned by whoever ran the copy, which the server's user could not open.
    expect(readdirSync(left).sort()).toEqual(['latchkey.db', 'latchkey.db-wal']);
  });

  it('refuses a target that already holds rows, and leaves it as it was', async () => {
    const target = freshTarget();
    const urlFile = join(work, 'database-url');
    writeFileSync(urlFile, `${target}\n`, { mode: 0o600 });
    expect((await dbCopy(['--from', source], { LATCHKEY_DATABASE_URL_FILE: urlFile })).code).toBe(0);
    const copied = await postgresTables(target);
    const again = await dbCopy(['--from', source], { LATCHKEY_DATABASE_URL_FILE: urlFile });
    expect(again.code).toBe(78);
    expect(again.out).toMatch(
      /refused: the target database is not empty \(rows in .*audit_events.*\): db:copy fills only an empty database/,
    );
    expect(again.out).not.toContain(password);
    expect(await postgresTables(target)).toEqual(copied);
  });

  it('refuses the database of a running server, before touching the target', async () => {
    running = await startServerProcess({ smtpUrl: smtp.url });
    const target = freshTarget();
    const refused = await dbCopy(['--from', join(running.dataDir, 'latchkey.db'), '--to', target]);
    expect(refused.code).toBe(78);
    expect(refused.out).toMatch(new RegExp(`refused: a Latchkey server \\(pid ${running.pid}\\) is running on .* stop it first`));
    expect(tableCount(`copy_${databases}`)).toBe('0');
  });

  it('refuses a SQLite database at another migration level than this build copies', async () => {
    const older = join(work, 'older.db');
    copyFileSync(source, older);
    const db = new Database(older);
    const current = db.pragma('user_version', { simple: true }) as number;
    db.pragma(`user_version = ${current - 10}`);
    db.close();
    const target = freshTarget();
    const refused = await dbCopy(['--from', older, '--to', target]);
    expect(refused.code).toBe(78);
    expect(refused.out).toMatch(
      new RegExp(
        `refused: .*older\\.db is at schema version ${current - 10}, and this Latchkey copies version ${current}: start this version's server on it once`,
      ),
    );
    const newer = new Database(older);
    newer.pragma(`user_version = ${current + 10}`);
    newer.close();
    const tooNew = await dbCopy(['--from', older, '--to', target]);
    expect(tooNew.code).toBe(78);
    expect(tooNew.out).toMatch(new RegExp(`newer than this Latchkey knows \\(${current}\\)`));
    expect(tableCount(`copy_${databases}`)).toBe('0');
  });

  it('names a target it cannot sign in to without printing the password it was given', async () => {
    const target = freshTarget().replace(`:${password}@`, ':not-the-password-4711@');
    const failed = await dbCopy(['--from', source, '--to', target]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/failed \(no row was committed to the target\): .*password authentication failed/);
    expect(failed.out).not.toContain('not-the-password-4711');
  });

  it('a server started on the copy takes the enrolled Clients’ tokens, the OTPs and console sessions handed out before, and the admin’s password', async () => {
    const target = freshTarget();
    const copy = await dbCopy(['--from', source, '--to', target]);
    expect(copy.code, copy.out).toBe(0);
    // A node: a data dir of its own, the keys as files (as every node of a cluster has them), the database URL.
    running = await startServerProcess({
      smtpUrl: smtp.url,
      env: {
        LATCHKEY_DATABASE_URL: target,
        LATCHKEY_SECRET_FILE: join(server!.dataDir, 'secret.key'),
        LATCHKEY_SIGNING_KEY_FILE: join(server!.dataDir, 'signing.key'),
      },
    });
    const api = (token?: string) => createApiClient({ baseUrl: running!.baseUrl, fetch, token: () => token });
    const { lock, second, sessionId, bobOtp } = handedOut;

    // The Clients' tokens: a heartbeat of the session opened before the move, a policy, a request's state.
    await api(lock.clientToken)(routes.heartbeat, { params: { sessionId } });
    expect(await api(second.clientToken)(routes.getPolicy, {})).toMatchObject({ allowOfflineUnlock: true });
    // The OTP mailed before the move (sealed and hashed under the same secret) verifies once, after its one wrong try.
    const bob = { osUser: 'CORP\\bob', email: 'bob@corp.example.com' };
    expect(await api(second.clientToken)(routes.verifyOtp, { body: { ...bob, otp: bobOtp, nonce: testNonce() } })).toMatchObject({
      allowed: true,
    });
    await expect(api(second.clientToken)(routes.verifyOtp, { body: { ...bob, otp: bobOtp, nonce: testNonce() } })).rejects.toMatchObject({
      status: 401,
    });

    // The console: the session signed in before the move, and a new sign-in with the copied password hash.
    expect(await api(handedOut.admin)(routes.adminMe, {})).toMatchObject({ user: { login: 'admin', role: 'admin' } });
    const { token: helen } = await api()(routes.adminLogin, { body: { login: 'helen', password: 'helen-password-1' } });
    const clients = await api(helen)(routes.listClients, {});
    expect(clients.map((c) => c.computerName).sort()).toEqual(['PC-0001', 'PC-0002', 'PC-0002', 'PC-0003', 'PC-0004']);
    // The audit goes on where it was: the unlock before the move and the one after it (a new id past the copied ones).
    const verified = await api(helen)(routes.listAudit, { query: { type: 'otp.verified' } });
    expect(verified.map((e) => e.osUser).sort()).toEqual(['CORP\\ann', 'CORP\\bob']);
  });
});

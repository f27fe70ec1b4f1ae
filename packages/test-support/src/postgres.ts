import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Debian's PostgreSQL 15 (`postgresql-15`); the tests never touch its system cluster. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'latchkey';
const PASSWORD = 'latchkey-test-password';
const STARTUP_MS = 30_000;

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can: Vitest's `describe.skipIf`
 * takes it, and the reason is printed as the suite's name (CONTRIBUTING: tests that lack a
 * counterpart skip, they do not throw).
 */
export function postgresSkipReason(): string | undefined {
  if (process.env.LATCHKEY_TEST_SKIP_POSTGRES === '1')
    return 'LATCHKEY_TEST_SKIP_POSTGRES=1 (npm run test:fast): the PostgreSQL half runs in npm test';
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    return `${POSTGRES_BIN}/initdb is missing: install the Debian package postgresql (scripts/install-test-deps.sh does it as root)`;
  }
  if (process.getuid?.() === 0 && osUser('postgres') === undefined)
    return 'running as root, and there is no postgres user to run initdb as';
  return undefined;
}

export interface PostgresCluster {
  /** `postgres://latchkey:…@127.0.0.1:<port>/postgres`: the superuser, over TCP with a password. */
  url: string;
  port: number;
  /** The cluster's data directory (inside a temp dir the cluster owns). */
  dataDir: string;
  /** The unix socket directory (in the temp dir; never /var/run/postgresql). */
  socketDir: string;
  /** The same server, another database. */
  urlFor(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): string;
  /** Runs SQL through psql on the `postgres` database (or `database`) and returns its unaligned output. */
  psql(sql: string, database?: string): string;
  /** The server's log so far. */
  log(): string;
  /** Stops the server (fast shutdown, then SIGKILL) and removes its files. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server (fast shutdown) and leaves its files: a database that is down for a while. */
  pause(): Promise<void>;
  /** Kills the postmaster with SIGKILL and leaves its files: a crashed or lost primary. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data after pause() or crash() (or at once, if it runs). */
  restart(): Promise<void>;
}

export interface PostgresOptions {
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /**
   * Durable as a production server (fsync on). Off by default: a throwaway test cluster needs no
   * fsync, and the tests then run in seconds on a loaded machine.
   */
  durable?: boolean;
}

/**
 * A throwaway PostgreSQL 15 cluster, started the way slapd is: `initdb` into a temp dir (as the
 * `postgres` user when the tests run as root, since initdb refuses root), a free loopback port, a
 * unix socket dir inside the temp dir, the postmaster our child in the foreground, stopped by PID,
 * and killed when the test process exits.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const reason = postgresSkipReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  const owner = runAs();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, PASSWORD, { mode: 0o600 });
  if (owner) chownSync(pwFile, owner.uid, owner.gid);
  const init = spawnSync(
    join(POSTGRES_BIN, 'initdb'),
    ['-D', dataDir, '-U', SUPERUSER, '--pwfile', pwFile, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
    { ...spawnAs(owner, dir), encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  }
  const cluster = await launch(dir, dataDir, await freePort(), owner, options);
  return cluster;
}

/**
 * A synchronous streaming standby of `primary` (pg_basebackup -R, the primary's
 * synchronous_standby_names set to it): every commit the primary acknowledges is on the standby.
 * `promote()` makes it a primary (pg_ctl promote) and resolves once it accepts writes.
 */
export async function startStandby(primary: PostgresCluster): Promise<PostgresCluster & { promote(): Promise<void> }> {
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-standby-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const base = spawnSync(
    join(POSTGRES_BIN, 'pg_basebackup'),
    ['-h', '127.0.0.1', '-p', String(primary.port), '-U', SUPERUSER, '-D', dataDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast'],
    { ...spawnAs(owner, dir, { PGPASSWORD: PASSWORD, PGAPPNAME: 'standby' }), encoding: 'utf8' },
  );
  if (base.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_basebackup failed: ${base.stderr || base.error?.message}`);
  }
  // The standby names itself in primary_conninfo, so the primary can wait for it by that name.
  const conf = join(dataDir, 'postgresql.auto.conf');
  writeFileSync(
    conf,
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${SUPERUSER} password=${PASSWORD} application_name=standby'\n`,
    {
      flag: 'a',
    },
  );
  if (owner) chownSync(conf, owner.uid, owner.gid);
  const standby = await launch(dir, dataDir, await freePort(), owner, {});
  primary.psql("ALTER SYSTEM SET synchronous_standby_names = 'standby'");
  primary.psql('SELECT pg_reload_conf()');
  await until(
    () => primary.psql("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'") === 'sync',
    'the standby to be synchronous',
    () => standby.log(),
  );
  return {
    ...standby,
    async promote() {
      const promoted = spawnSync(join(POSTGRES_BIN, 'pg_ctl'), ['promote', '-w', '-D', dataDir], {
        ...spawnAs(owner, dir),
        encoding: 'utf8',
      });
      if (promoted.status !== 0) throw new Error(`pg_ctl promote failed: ${promoted.stderr || promoted.stdout}`);
      await until(
        () => standby.psql('SELECT pg_is_in_recovery()') === 'f',
        'the standby to be promoted',
        () => standby.log(),
      );
    },
  };
}

async function launch(
  dir: string,
  dataDir: string,
  port: number,
  owner: Owner | undefined,
  options: PostgresOptions,
): Promise<PostgresCluster> {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '100',
    ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  let log = '';
  let child: ChildProcess;
  let forget = () => {};

  const start = async () => {
    log = '';
    child = spawn(join(POSTGRES_BIN, 'postgres'), args, { ...spawnAs(owner, dir), stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-256 * 1024);
    });
    // A test runner that exits without stopping us must not leave a postmaster behind.
    const pid = child.pid;
    const onExit = () => {
      if (pid) killQuietly(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    forget = () => process.removeListener('exit', onExit);
    await until(
      () => /database system is ready to accept (read-only )?connections/.test(log),
      `PostgreSQL to accept connections on ${port}`,
      () => log.slice(-4000),
      child,
    );
  };

  const halt = async (signal: NodeJS.Signals) => {
    const current = child;
    if (current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (err) {
    await halt('SIGKILL');
    forget();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const urlFor = (database: string) => `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const psql = (sql: string, database = 'postgres') => {
    const result = spawnSync(
      join(POSTGRES_BIN, 'psql'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', database, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: '5' },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr || result.error?.message}`);
    return result.stdout.trim();
  };
  let stopped: Promise<void> | undefined;
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    socketDir: dir,
    urlFor,
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      psql(`CREATE DATABASE ${name}`);
      return urlFor(name);
    },
    psql,
    log: () => log,
    stop() {
      // SIGINT is PostgreSQL's fast shutdown: it ends the sessions still open instead of waiting for them.
      stopped ??= halt('SIGINT').then(() => {
        forget();
        rmSync(dir, { recursive: true, force: true });
      });
      return stopped;
    },
    async pause() {
      await halt('SIGINT');
      forget();
    },
    async crash() {
      await halt('SIGKILL');
      forget();
    },
    async restart() {
      await halt('SIGINT');
      forget();
      await start();
    },
  };
}

interface Owner {
  uid: number;
  gid: number;
}

/** The postgres user when we are root (initdb and postgres refuse to run as root); else ourselves. */
function runAs(): Owner | undefined {
  return process.getuid?.() === 0 ? osUser('postgres') : undefined;
}

function osUser(name: string): Owner | undefined {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function spawnAs(owner: Owner | undefined, cwd: string, env: Record<string, string> = {}): SpawnSyncOptions {
  return {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...env },
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  };
}

async function until(done: () => boolean, what: string, output: () => string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}: ${output()}`);
    }
    let ok = false;
    try {
      ok = done();
    } catch {
      // not yet
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

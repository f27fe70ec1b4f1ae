import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from './node-process.js';
import { canConnect, kill, listeningOrRemoved, requireExecutable } from './slapd.js';

const run = promisify(execFile);

const SAMBA = '/usr/sbin/samba';
const SAMBA_TOOL = '/usr/bin/samba-tool';
const AD_SCHEMA = '/usr/share/samba/setup/ad-schema';
/** Samba has no setting for its LDAP port, so the DC listens on 389 of 127.0.0.1 only. */
const LDAP_PORT = 389;
/** Who holds the one DC port: "<test process pid> [<samba pid> <dir>]". */
const OWNER_FILE = join(tmpdir(), 'latchkey-samba-dc.owner');
const WAIT_FOR_OTHER_RUN_MS = 90_000;

export const SAMBA_REALM = 'LATCHKEY.TEST';
export const SAMBA_DOMAIN = 'LATCHKEY';
export const SAMBA_BASE_DN = 'DC=latchkey,DC=test';

export interface SambaUser {
  name: string;
  mail?: string;
  disabled?: boolean;
}

/** A security group; members are user or group names (groups in groups for nesting). */
export interface SambaGroup {
  name: string;
  members: string[];
}

export interface SambaDc {
  /** ldap://127.0.0.1:389 */
  url: string;
  realm: string;
  domain: string;
  baseDn: string;
  /** `Administrator@LATCHKEY.TEST`: AD accepts the UPN as a simple bind name. */
  adminUpn: string;
  adminDn: string;
  adminPassword: string;
  dnOf(name: string): string;
  /** The DN of a group made from `groups` (they live in CN=Users too). */
  groupDnOf(name: string): string;
  /** Kills samba and removes the domain's files. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A throwaway Active Directory domain controller: `samba-tool domain provision` into a temp dir
 * (about 4 s), users made with `samba-tool user create`, then `samba` in the foreground with only
 * its LDAP service, on loopback. Needs root (port 389) and the Debian packages samba,
 * samba-ad-dc and samba-ad-provision; it fails, never skips, when they are missing.
 */
export async function startSambaDc(users: SambaUser[], groups: SambaGroup[] = []): Promise<SambaDc> {
  requireExecutable(SAMBA, 'samba-ad-dc');
  requireExecutable(SAMBA_TOOL, 'samba');
  requireExecutable(AD_SCHEMA, 'samba-ad-provision');
  if (process.getuid?.() !== 0)
    throw new Error('Samba AD tests must run as root (they fail, not skip, otherwise): the DC can only listen on port 389');
  await claimPort();
  try {
    return await startClaimed(users, groups);
  } catch (err) {
    await rm(OWNER_FILE, { force: true });
    throw err;
  }
}

async function startClaimed(users: SambaUser[], groups: SambaGroup[]): Promise<SambaDc> {
  if (await canConnect(LDAP_PORT)) {
    throw new Error(`127.0.0.1:${LDAP_PORT} is already in use by another LDAP server; stop it to run the Samba AD tests`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'latchkey-samba-'));
  const adminPassword = 'Adm1n-Latchkey-Passw0rd';
  const conf = join(dir, 'etc', 'smb.conf');
  const tool = async (args: string[]): Promise<void> => {
    try {
      await run(SAMBA_TOOL, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const { stderr, stdout } = err as { stderr?: string; stdout?: string };
      // Not attached as cause: the execFile error's cmd holds --adminpass.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`samba-tool ${args.slice(0, 2).join(' ')} failed: ${(stderr || stdout || 'no output').slice(-2000)}`);
    }
  };

  try {
    await tool([
      'domain',
      'provision',
      '--use-rfc2307',
      `--realm=${SAMBA_REALM}`,
      `--domain=${SAMBA_DOMAIN}`,
      '--server-role=dc',
      '--dns-backend=NONE',
      `--adminpass=${adminPassword}`,
      `--targetdir=${dir}`,
      // The machine's own host name may be too long or odd for a NetBIOS name (containers, CI).
      '--host-name=latchkeydc',
      '--option=netbios name = LATCHKEYDC',
      '--option=interfaces = lo',
      '--option=bind interfaces only = yes',
      '--option=server services = ldap',
    ]);
    // Not every --option lands in the generated smb.conf: these are added to [global] directly.
    // Plain simple binds on loopback are what the tests make; pid and logs stay in the temp dir.
    await mkdir(join(dir, 'run'));
    const extra = [
      'ldap server require strong auth = no',
      `pid directory = ${join(dir, 'run')}`,
      `log file = ${join(dir, 'log.%m')}`,
      'log level = 0',
    ];
    const text = await readFile(conf, 'utf8');
    await writeFile(conf, text.replace(/^\[global\]$/m, `[global]\n${extra.map((line) => `\t${line}`).join('\n')}`));

    for (const user of users) {
      // AD refuses a password that contains the account name, so all share one that names none.
      const args = ['user', 'create', user.name, 'Us3r-Latchkey-Passw0rd', '-s', conf];
      if (user.mail) args.push(`--mail-address=${user.mail}`);
      await tool(args);
      if (user.disabled) await tool(['user', 'disable', user.name, '-s', conf]);
    }
    for (const group of groups) await tool(['group', 'add', group.name, '-s', conf]);
    for (const group of groups) {
      if (group.members.length > 0) await tool(['group', 'addmembers', group.name, group.members.join(','), '-s', conf]);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const child = spawn(SAMBA, ['--foreground', '--no-process-group', '-M', 'single', '-s', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await writeFile(OWNER_FILE, `${process.pid} ${child.pid ?? 0} ${dir}`);
  await listeningOrRemoved(child, [LDAP_PORT], () => output, dir, 30_000);

  let stopped: Promise<void> | undefined;
  return {
    url: `ldap://127.0.0.1:${LDAP_PORT}`,
    realm: SAMBA_REALM,
    domain: SAMBA_DOMAIN,
    baseDn: SAMBA_BASE_DN,
    adminUpn: `Administrator@${SAMBA_REALM}`,
    adminDn: `CN=Administrator,CN=Users,${SAMBA_BASE_DN}`,
    adminPassword,
    dnOf: (name) => `CN=${name},CN=Users,${SAMBA_BASE_DN}`,
    groupDnOf: (name) => `CN=${name},CN=Users,${SAMBA_BASE_DN}`,
    stop() {
      stopped ??= kill(child).then(async () => {
        await rm(OWNER_FILE, { force: true });
        await rm(dir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

/**
 * Only one DC can have port 389. Test runs in the same checkout (two people, or a run that was
 * killed) take turns through OWNER_FILE: a live owner is waited for; a dead one's DC is ended.
 */
async function claimPort(): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_OTHER_RUN_MS;
  for (;;) {
    try {
      await writeFile(OWNER_FILE, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [ownerText = '', sambaText = '', dir = ''] = (await readFile(OWNER_FILE, 'utf8').catch(() => '')).trim().split(' ');
    const owner = Number(ownerText);
    if (owner && isAlive(owner)) {
      if (Date.now() > deadline)
        throw new Error(`another test run (pid ${owner}) has held the Samba DC on port ${LDAP_PORT} for ${WAIT_FOR_OTHER_RUN_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    await stopLeftover(Number(sambaText), dir);
    await rm(OWNER_FILE, { force: true });
  }
}

/**
 * The DC of a run that died. Ended only if the pid is still a samba with files open in that run's
 * dir (samba rewrites its command line, so that cannot tell).
 */
async function stopLeftover(pid: number, dir: string): Promise<void> {
  if (!/\/latchkey-samba-[^/]+$/.test(dir)) return;
  if (!Number.isInteger(pid) || pid <= 0) return rm(dir, { recursive: true, force: true });
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  if (exe === SAMBA && targets.some((target) => target.startsWith(`${dir}/`))) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}/exe`); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await rm(dir, { recursive: true, force: true });
}

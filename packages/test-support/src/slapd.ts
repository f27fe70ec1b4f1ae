import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const OPENSSL = '/usr/bin/openssl';
const MODULE_PATH = '/usr/lib/ldap';
const SCHEMA_DIR = '/etc/ldap/schema';

export interface SlapdUser {
  uid: string;
  /** One value, several, or none (an account without mail). */
  mail?: string | string[];
  /** Extra attributes of the entry, e.g. `{ employeeType: ['staff'] }`. */
  extra?: Record<string, string[]>;
}

/**
 * A group under ou=groups: `groupOfNames` (member) or `groupOfUniqueNames` (uniqueMember); members
 * are user uids or other groups' cns (groups in groups for nesting, cycles allowed).
 */
export interface SlapdGroup {
  cn: string;
  members: string[];
  kind?: 'groupOfNames' | 'groupOfUniqueNames';
}

export interface Slapd {
  /** ldap://127.0.0.1:<port> */
  url: string;
  /** ldaps://127.0.0.1:<port> when started with `tls: true`. */
  ldapsUrl: string;
  baseDn: string;
  bindDn: string;
  bindPassword: string;
  /** PEM file of the CA that signed the server certificate, when started with `tls: true`. */
  caFile: string;
  /** slapd's stats log so far (connections, BIND, SRCH, UNBIND, closed): what the server saw. */
  log(): string;
  /** The DN of each user, by uid. */
  dnOf(uid: string): string;
  /** The DN of each group, by cn. */
  groupDnOf(cn: string): string;
  /** Kills slapd (SIGTERM, then SIGKILL) and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

/** The server's directory variables for this slapd (URL, bind DN and password, base DN): spread them into a server's env. */
export function slapdEnv(slapd: Pick<Slapd, 'url' | 'bindDn' | 'bindPassword' | 'baseDn'>): Record<string, string> {
  return {
    LATCHKEY_LDAP_URL: slapd.url,
    LATCHKEY_LDAP_BIND_DN: slapd.bindDn,
    LATCHKEY_LDAP_BIND_PASSWORD: slapd.bindPassword,
    LATCHKEY_LDAP_BASE_DN: slapd.baseDn,
  };
}

export const SLAPD_BASE_DN = 'dc=latchkey,dc=test';

/**
 * A real OpenLDAP slapd on free loopback ports, from a generated slapd.conf in a temp dir, mdb
 * backend, with inetOrgPerson users under ou=people loaded by slapadd before it starts.
 */
export async function startSlapd(options: { users: SlapdUser[]; groups?: SlapdGroup[]; tls?: boolean }): Promise<Slapd> {
  requireExecutable(SLAPD, 'slapd');
  requireExecutable(SLAPADD, 'slapd');
  requireExecutable(join(MODULE_PATH, 'back_mdb.so'), 'slapd');
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-slapd-'));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  const bindDn = `cn=admin,${SLAPD_BASE_DN}`;
  const bindPassword = 'slapd-admin-secret';
  const tls = options.tls === true;
  const caFile = join(dir, 'ca.pem');
  if (tls) makeCertificates(dir);

  const conf = [
    ...['core', 'cosine', 'inetorgperson'].map((name) => `include ${SCHEMA_DIR}/${name}.schema`),
    `modulepath ${MODULE_PATH}`,
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    ...(tls
      ? [
          `TLSCACertificateFile ${caFile}`,
          `TLSCertificateFile ${join(dir, 'server.pem')}`,
          `TLSCertificateKeyFile ${join(dir, 'server.key')}`,
        ]
      : []),
    'database mdb',
    'maxsize 16777216',
    `suffix "${SLAPD_BASE_DN}"`,
    `rootdn "${bindDn}"`,
    `rootpw ${bindPassword}`,
    `directory ${dataDir}`,
    'access to * by dn.exact="' + bindDn + '" read by * none',
    '',
  ].join('\n');
  const confFile = join(dir, 'slapd.conf');
  await writeFile(confFile, conf);

  const dns = new Map<string, string>();
  const ldif: string[] = [
    entry(SLAPD_BASE_DN, { objectClass: ['top', 'dcObject', 'organization'], dc: ['latchkey'], o: ['Latchkey test'] }),
    entry(`ou=people,${SLAPD_BASE_DN}`, { objectClass: ['organizationalUnit'], ou: ['people'] }),
  ];
  options.users.forEach((user, index) => {
    // A plain RDN keeps DN escaping out of the picture; the uid under test may hold anything.
    const dn = `cn=user${index},ou=people,${SLAPD_BASE_DN}`;
    dns.set(user.uid, dn);
    const mails = user.mail === undefined ? [] : [user.mail].flat();
    ldif.push(
      entry(dn, { objectClass: ['inetOrgPerson'], cn: [`user${index}`], sn: ['Test'], uid: [user.uid], mail: mails, ...user.extra }),
    );
  });
  const groups = options.groups ?? [];
  const groupDn = (cn: string) => `cn=${cn},ou=groups,${SLAPD_BASE_DN}`;
  if (groups.length > 0) ldif.push(entry(`ou=groups,${SLAPD_BASE_DN}`, { objectClass: ['organizationalUnit'], ou: ['groups'] }));
  for (const group of groups) {
    const members = group.members.map((m) => dns.get(m) ?? groupDn(m));
    const kind = group.kind ?? 'groupOfNames';
    const attribute = kind === 'groupOfNames' ? 'member' : 'uniqueMember';
    ldif.push(entry(groupDn(group.cn), { objectClass: [kind], cn: [group.cn], [attribute]: members }));
  }
  const ldifFile = join(dir, 'data.ldif');
  await writeFile(ldifFile, ldif.join('\n'));
  const added = spawnSync(SLAPADD, ['-f', confFile, '-l', ldifFile, '-q'], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr || added.error?.message}`);

  const port = await freePort();
  const tlsPort = tls ? await freePort() : 0;
  const urls = [`ldap://127.0.0.1:${port}/`, ...(tls ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])];
  // -d keeps slapd in the foreground as our child, so killing it is certain; level "stats" logs
  // each operation to stderr, which lets tests see what the server received.
  const child = spawn(SLAPD, ['-f', confFile, '-h', urls.join(' '), '-d', 'stats'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-256 * 1024);
  });
  await listeningOrRemoved(child, tls ? [port, tlsPort] : [port], () => stderr.slice(-4000), dir);

  let stopped: Promise<void> | undefined;
  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    baseDn: SLAPD_BASE_DN,
    bindDn,
    bindPassword,
    caFile,
    log: () => stderr,
    dnOf(uid) {
      const dn = dns.get(uid);
      if (!dn) throw new Error(`no user ${uid}`);
      return dn;
    },
    groupDnOf: groupDn,
    stop() {
      stopped ??= kill(child).then(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}

/** A TCP server that accepts connections and never answers: a directory that hangs. */
export async function startSilentServer(): Promise<{
  url: string;
  /** Connections still open. */ connections(): number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Read and drop what arrives, so the client's close is seen.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `ldap://127.0.0.1:${address.port}`,
    connections: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Fails (never skips) when a program or file of a Debian package is missing, naming the package and
 * the script that installs every test dependency: a test that needs slapd or Samba does not pass
 * by not running.
 */
export function requireExecutable(path: string, debianPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: install the Debian package ${debianPackage}, with the other test programs, by \`bash scripts/install-test-deps.sh\` as root`,
    );
  }
}

/** Resolves once the port accepts a connection; fails early if the process exits. */
export async function waitForPort(child: ChildProcess, port: number, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${child.spawnfile} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}: ${output()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`${child.spawnfile} did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once every port accepts connections; otherwise kills the process, removes its `dir` and throws. */
export async function listeningOrRemoved(
  child: ChildProcess,
  ports: number[],
  output: () => string,
  dir: string,
  timeoutMs?: number,
): Promise<void> {
  try {
    for (const port of ports) await waitForPort(child, port, output, timeoutMs);
  } catch (err) {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** One LDIF entry; every value base64 (`attr:: …`) so any byte a test needs survives. */
function entry(dn: string, attributes: Record<string, string[]>): string {
  const lines = [`dn:: ${Buffer.from(dn).toString('base64')}`];
  for (const [name, values] of Object.entries(attributes)) {
    for (const value of values) lines.push(`${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`);
  }
  return lines.join('\n') + '\n';
}

/** A CA and a server certificate for localhost and 127.0.0.1, made with openssl. */
function makeCertificates(dir: string): void {
  requireExecutable(OPENSSL, 'openssl');
  const run = (args: string[]): void => {
    const result = spawnSync(OPENSSL, args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Latchkey test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  run([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  const ext =
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n';
  writeFileSync(join(dir, 'server.ext'), ext);
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  ]);
}

/**
 * A directory that is configured but never answers (the discard port on loopback refuses at once):
 * for tests that switch on auto-send to directory users, which the server refuses while no
 * directory is configured, without starting slapd.
 */
export const UNREACHABLE_DIRECTORY_ENV: Readonly<Record<string, string>> = {
  LATCHKEY_LDAP_URL: 'ldap://127.0.0.1:9',
  LATCHKEY_LDAP_BIND_DN: 'cn=reader,dc=unreachable,dc=test',
  LATCHKEY_LDAP_BIND_PASSWORD: 'not-a-real-password',
  LATCHKEY_LDAP_BASE_DN: 'dc=unreachable,dc=test',
  LATCHKEY_LDAP_TIMEOUT_MS: '1000',
};

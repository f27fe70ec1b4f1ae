import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory, DirectoryUnavailableError, parseDirectoryConfig, type DirectoryConfig } from '../../src/directory/index.js';
import { startSilentServer, startSlapd, type Slapd, slapdEnv } from '@latchkey/test-support';

const USERS = [
  { uid: 'alice', mail: 'alice@latchkey.test' },
  { uid: 'bob' },
  { uid: 'admin', mail: 'admin@latchkey.test' },
  { uid: 'badmail', mail: 'not an address' },
  { uid: 'multi', mail: ['also not an address', 'multi@latchkey.test'] },
  { uid: 'star*', mail: 'star@latchkey.test' },
  { uid: 'paren(x)', mail: 'paren@latchkey.test' },
  { uid: 'back\\slash', mail: 'backslash@latchkey.test' },
  { uid: 'jürgen', mail: 'juergen@latchkey.test' },
  { uid: 'twin1', mail: 'twin1@latchkey.test', extra: { employeeType: ['twin'] } },
  { uid: 'twin2', mail: 'twin2@latchkey.test', extra: { employeeType: ['twin'] } },
];

function configFor(slapd: Slapd, env: Record<string, string> = {}): DirectoryConfig {
  const config = parseDirectoryConfig({
    ...slapdEnv(slapd),
    LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
    LATCHKEY_LDAP_TIMEOUT_MS: '3000',
    ...env,
  });
  if (!config) throw new Error('no config');
  return config;
}

/** TCP sockets this process holds open (ldapjs clients that were never destroyed would show here). */
function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TLSWrap').length;
}

describe('LDAP directory against OpenLDAP (slapd)', () => {
  let slapd: Slapd;

  beforeAll(async () => {
    slapd = await startSlapd({ users: USERS, tls: true });
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('finds a user by name and answers its mail and DN', async () => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail('alice')).resolves.toEqual({
        kind: 'found',
        email: 'alice@latchkey.test',
        dn: slapd.dnOf('alice'),
      });
    } finally {
      await directory.close();
    }
  });

  it('uses the name part of DOMAIN\\name and name@domain', async () => {
    const directory = createDirectory(configFor(slapd));
    try {
      for (const osUser of ['LATCHKEY\\alice', 'alice@latchkey.test', 'ALICE']) {
        await expect(directory.lookupEmail(osUser)).resolves.toMatchObject({ kind: 'found', email: 'alice@latchkey.test' });
      }
    } finally {
      await directory.close();
    }
  });

  it('answers not_found for an unknown user and for an empty name part', async () => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail('nobody')).resolves.toEqual({ kind: 'not_found' });
      await expect(directory.lookupEmail('LATCHKEY\\')).resolves.toEqual({ kind: 'not_found' });
    } finally {
      await directory.close();
    }
  });

  it('answers no_mail for a user without mail and for a mail that is not an address', async () => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail('bob')).resolves.toEqual({ kind: 'no_mail', dn: slapd.dnOf('bob') });
      await expect(directory.lookupEmail('badmail')).resolves.toEqual({ kind: 'no_mail', dn: slapd.dnOf('badmail') });
    } finally {
      await directory.close();
    }
  });

  it('uses the first well-formed address of a multi-valued mail', async () => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail('multi')).resolves.toMatchObject({ kind: 'found', email: 'multi@latchkey.test' });
    } finally {
      await directory.close();
    }
  });

  it('reads the mail from the configured attribute', async () => {
    const directory = createDirectory(
      configFor(slapd, { LATCHKEY_LDAP_MAIL_ATTRIBUTE: 'employeeType', LATCHKEY_LDAP_USER_FILTER: '(uid={user})' }),
    );
    try {
      // twin1's employeeType is "twin", not an address: the mail attribute is really the one read.
      await expect(directory.lookupEmail('twin1')).resolves.toMatchObject({ kind: 'no_mail' });
      await expect(directory.lookupEmail('alice')).resolves.toMatchObject({ kind: 'no_mail' });
    } finally {
      await directory.close();
    }
  });

  it.each([
    ['*'],
    ['al*'],
    ['*)(uid=*'],
    ['admin)(|(uid=*'],
    ['alice)(uid=bob'],
    ['*))(|(uid=*'],
    ['alice\u0000'],
    ['\\2a'],
    ['LATCHKEY\\*'],
    ['*@latchkey.test'],
  ])('matches the injection string %j literally, finding nobody', async (osUser) => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail(osUser)).resolves.toEqual({ kind: 'not_found' });
    } finally {
      await directory.close();
    }
  });

  it.each([
    ['star*', 'star@latchkey.test'],
    ['paren(x)', 'paren@latchkey.test'],
    ['LATCHKEY\\back\\slash', 'backslash@latchkey.test'],
    ['jürgen', 'juergen@latchkey.test'],
  ])('finds the user whose name holds special characters: %j', async (osUser, email) => {
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail(osUser)).resolves.toMatchObject({ kind: 'found', email });
    } finally {
      await directory.close();
    }
  });

  it('refuses to guess when a custom filter matches two entries', async () => {
    const directory = createDirectory(
      configFor(slapd, { LATCHKEY_LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(employeeType={user}))' }),
    );
    try {
      await expect(directory.lookupEmail('twin')).resolves.toEqual({ kind: 'ambiguous', count: 2 });
    } finally {
      await directory.close();
    }
  });

  it('reports a filter that matches more entries than the size limit as ambiguous', async () => {
    const directory = createDirectory(configFor(slapd, { LATCHKEY_LDAP_USER_FILTER: '(|(uid={user})(objectClass=inetOrgPerson))' }));
    try {
      const result = await directory.lookupEmail('alice');
      expect(result.kind).toBe('ambiguous');
      expect(result.kind === 'ambiguous' && result.count).toBeGreaterThanOrEqual(10);
    } finally {
      await directory.close();
    }
  });

  it('connects over ldaps:// with the CA from LATCHKEY_LDAP_CA_FILE', async () => {
    const directory = createDirectory(configFor(slapd, { LATCHKEY_LDAP_URL: slapd.ldapsUrl, LATCHKEY_LDAP_CA_FILE: slapd.caFile }));
    try {
      await expect(directory.lookupEmail('alice')).resolves.toMatchObject({ kind: 'found', email: 'alice@latchkey.test' });
    } finally {
      await directory.close();
    }
  });

  it('upgrades ldap:// with StartTLS when LATCHKEY_LDAP_STARTTLS is true', async () => {
    const directory = createDirectory(configFor(slapd, { LATCHKEY_LDAP_STARTTLS: 'true', LATCHKEY_LDAP_CA_FILE: slapd.caFile }));
    try {
      await expect(directory.lookupEmail('alice')).resolves.toMatchObject({ kind: 'found', email: 'alice@latchkey.test' });
    } finally {
      await directory.close();
    }
  });

  it('refuses a server certificate that the configured CA did not sign', async () => {
    const settings: Array<Record<string, string>> = [{ LATCHKEY_LDAP_URL: slapd.ldapsUrl }, { LATCHKEY_LDAP_STARTTLS: 'true' }];
    for (const env of settings) {
      const directory = createDirectory(configFor(slapd, env));
      try {
        await expect(directory.lookupEmail('alice')).rejects.toBeInstanceOf(DirectoryUnavailableError);
      } finally {
        await directory.close();
      }
    }
  });

  it('fails with DirectoryUnavailableError when the service account password is wrong, naming no password', async () => {
    const directory = createDirectory(configFor(slapd, { LATCHKEY_LDAP_BIND_PASSWORD: 'wrong-password-123' }));
    try {
      const error = await directory.lookupEmail('alice').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      expect((error as Error).message).toMatch(/bind/);
      expect((error as Error).message).not.toContain('wrong-password-123');
    } finally {
      await directory.close();
    }
  });

  it('unbinds and closes every connection it opened, after a refused bind too', async () => {
    const connectionsBefore = new Set(slapd.log().match(/conn=\d+/g));
    const good = createDirectory(configFor(slapd));
    const badBind = createDirectory(configFor(slapd, { LATCHKEY_LDAP_BIND_PASSWORD: 'wrong' }));
    await good.lookupEmail('alice');
    await good.lookupEmail('nobody');
    await badBind.lookupEmail('alice').catch(() => undefined);
    await Promise.all([good.close(), badBind.close()]);
    // slapd writes its log from its own threads: give the last lines a moment to appear.
    const ours = (): string[] =>
      [...new Set(Array.from(slapd.log().matchAll(/(conn=\d+) op=\d+ BIND/g), (m) => m[1] as string))].filter(
        (conn) => !connectionsBefore.has(conn),
      );
    const finished = (conn: string): boolean => new RegExp(`${conn} op=\\d+ UNBIND\n[^]*${conn} fd=\\d+ closed\n`).test(slapd.log());
    for (let i = 0; i < 100 && !(ours().length === 3 && ours().every(finished)); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    // Connections that bound (the harness's readiness probes never do): each was unbound, then closed.
    expect(ours()).toHaveLength(3);
    for (const conn of ours()) expect(finished(conn), `${conn} unbound and closed`).toBe(true);
  });

  it('leaves no socket open after lookups that succeed, fail to bind or fail TLS', async () => {
    const before = openTcpSockets();
    const good = createDirectory(configFor(slapd));
    const badBind = createDirectory(configFor(slapd, { LATCHKEY_LDAP_BIND_PASSWORD: 'wrong' }));
    const badTls = createDirectory(configFor(slapd, { LATCHKEY_LDAP_URL: slapd.ldapsUrl }));
    await Promise.all([
      good.lookupEmail('alice'),
      good.lookupEmail('bob'),
      badBind.lookupEmail('alice').catch(() => undefined),
      badTls.lookupEmail('alice').catch(() => undefined),
    ]);
    // Socket handles go away a turn or two of the event loop after destroy().
    for (let i = 0; i < 50 && openTcpSockets() !== before; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(openTcpSockets()).toBe(before);
    await Promise.all([good.close(), badBind.close(), badTls.close()]);
  });
});

describe('LDAP directory when the server is down or hangs', () => {
  it('fails with DirectoryUnavailableError once slapd is stopped mid-test, without hanging', async () => {
    const slapd = await startSlapd({ users: [{ uid: 'alice', mail: 'alice@latchkey.test' }] });
    const directory = createDirectory(configFor(slapd));
    try {
      await expect(directory.lookupEmail('alice')).resolves.toMatchObject({ kind: 'found' });
      await slapd.stop();
      const started = Date.now();
      await expect(directory.lookupEmail('alice')).rejects.toBeInstanceOf(DirectoryUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await directory.close();
      await slapd.stop();
    }
  });

  it.each([
    ['ldap://', {}],
    ['ldaps://', { ldaps: true }],
    ['StartTLS', { LATCHKEY_LDAP_STARTTLS: 'true' }],
  ])('times out over %s against a server that accepts the connection and never answers, and closes it', async (_label, variant) => {
    const silent = await startSilentServer();
    const { ldaps, ...env } = variant as { ldaps?: boolean } & Record<string, string>;
    const config = parseDirectoryConfig({
      ...env,
      LATCHKEY_LDAP_URL: ldaps ? silent.url.replace('ldap://', 'ldaps://') : silent.url,
      LATCHKEY_LDAP_BIND_DN: 'cn=admin,dc=latchkey,dc=test',
      LATCHKEY_LDAP_BIND_PASSWORD: 'secret',
      LATCHKEY_LDAP_BASE_DN: 'dc=latchkey,dc=test',
      LATCHKEY_LDAP_TIMEOUT_MS: '300',
    });
    if (!config) throw new Error('no config');
    const directory = createDirectory(config);
    try {
      const started = Date.now();
      const error = await directory.lookupEmail('alice').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      expect((error as Error).message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(2500);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(silent.connections()).toBe(0);
    } finally {
      await directory.close();
      await silent.stop();
    }
  });

  it('fails with DirectoryUnavailableError when nothing listens on the port', async () => {
    const silent = await startSilentServer();
    const url = silent.url;
    await silent.stop();
    const config = parseDirectoryConfig({
      LATCHKEY_LDAP_URL: url,
      LATCHKEY_LDAP_BIND_DN: 'cn=admin,dc=latchkey,dc=test',
      LATCHKEY_LDAP_BIND_PASSWORD: 'secret',
      LATCHKEY_LDAP_BASE_DN: 'dc=latchkey,dc=test',
    });
    if (!config) throw new Error('no config');
    const directory = createDirectory(config);
    try {
      await expect(directory.lookupEmail('alice')).rejects.toBeInstanceOf(DirectoryUnavailableError);
    } finally {
      await directory.close();
    }
  });

  it('close() ends a lookup in flight at once, so server shutdown does not wait for a hung directory', async () => {
    const silent = await startSilentServer();
    const config = parseDirectoryConfig({
      LATCHKEY_LDAP_URL: silent.url,
      LATCHKEY_LDAP_BIND_DN: 'cn=admin,dc=latchkey,dc=test',
      LATCHKEY_LDAP_BIND_PASSWORD: 'secret',
      LATCHKEY_LDAP_BASE_DN: 'dc=latchkey,dc=test',
      LATCHKEY_LDAP_TIMEOUT_MS: '20000',
    });
    if (!config) throw new Error('no config');
    const directory = createDirectory(config);
    try {
      const started = Date.now();
      const lookup = directory.lookupEmail('alice').catch((err: unknown) => err);
      while (silent.connections() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await directory.close();
      expect(await lookup).toBeInstanceOf(DirectoryUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await silent.stop();
    }
  });

  it('refuses lookups after close()', async () => {
    const config = parseDirectoryConfig({
      LATCHKEY_LDAP_URL: 'ldap://127.0.0.1:1',
      LATCHKEY_LDAP_BIND_DN: 'cn=admin,dc=latchkey,dc=test',
      LATCHKEY_LDAP_BIND_PASSWORD: 'secret',
      LATCHKEY_LDAP_BASE_DN: 'dc=latchkey,dc=test',
    });
    if (!config) throw new Error('no config');
    const directory = createDirectory(config);
    await directory.close();
    await expect(directory.lookupEmail('alice')).rejects.toBeInstanceOf(DirectoryUnavailableError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDirectory,
  DirectoryUnavailableError,
  parseDirectoryConfig,
  type Directory,
  type DirectoryConfig,
} from '../../src/directory/index.js';
import { startSambaDc, type SambaDc } from '@latchkey/test-support';

// One provisioned domain for the whole file (this is the only test file that uses Samba), so the
// about 5 s of provisioning are paid once per test run.
describe('LDAP directory against Active Directory (Samba AD DC)', () => {
  let dc: SambaDc;
  let directory: Directory;

  function configFor(env: Record<string, string> = {}): DirectoryConfig {
    // The default filter (sAMAccountName={user}) and mail attribute are what is under test here.
    const config = parseDirectoryConfig({
      LATCHKEY_LDAP_URL: dc.url,
      LATCHKEY_LDAP_BIND_DN: dc.adminUpn,
      LATCHKEY_LDAP_BIND_PASSWORD: dc.adminPassword,
      LATCHKEY_LDAP_BASE_DN: dc.baseDn,
      ...env,
    });
    if (!config) throw new Error('no config');
    return config;
  }

  beforeAll(async () => {
    dc = await startSambaDc([
      { name: 'alice', mail: 'alice@latchkey.test' },
      { name: 'nomail' },
      { name: 'carol', mail: 'carol@latchkey.test', disabled: true },
      { name: 'dave', mail: 'dave@latchkey.test' },
    ]);
    directory = createDirectory(configFor());
  }, 120_000);

  afterAll(async () => {
    await directory?.close();
    await dc?.stop();
  });

  it.each([['LATCHKEY\\alice'], ['alice'], ['alice@latchkey.test'], ['latchkey\\ALICE']])(
    'finds %j with the default sAMAccountName filter',
    async (osUser) => {
      await expect(directory.lookupEmail(osUser)).resolves.toEqual({ kind: 'found', email: 'alice@latchkey.test', dn: dc.dnOf('alice') });
    },
  );

  it('answers disabled for a disabled account (userAccountControl bit 2), even with a mail', async () => {
    await expect(directory.lookupEmail('LATCHKEY\\carol')).resolves.toEqual({ kind: 'disabled', dn: dc.dnOf('carol') });
  });

  it('answers no_mail for an account without a mail attribute', async () => {
    await expect(directory.lookupEmail('nomail@latchkey.test')).resolves.toEqual({ kind: 'no_mail', dn: dc.dnOf('nomail') });
  });

  it('answers not_found for a name that is not in the domain', async () => {
    await expect(directory.lookupEmail('LATCHKEY\\mallory')).resolves.toEqual({ kind: 'not_found' });
  });

  it('matches wildcards and filter syntax in the name literally', async () => {
    for (const osUser of ['LATCHKEY\\*', 'al*', '*)(sAMAccountName=*', 'alice)(|(sAMAccountName=*']) {
      await expect(directory.lookupEmail(osUser)).resolves.toEqual({ kind: 'not_found' });
    }
  });

  it('binds with the service account DN as well as with its UPN', async () => {
    const byDn = createDirectory(configFor({ LATCHKEY_LDAP_BIND_DN: dc.adminDn }));
    try {
      await expect(byDn.lookupEmail('dave')).resolves.toMatchObject({ kind: 'found', email: 'dave@latchkey.test' });
    } finally {
      await byDn.close();
    }
  });

  it('refuses to guess when a custom filter matches several accounts', async () => {
    const wide = createDirectory(
      configFor({ LATCHKEY_LDAP_USER_FILTER: '(&(objectClass=user)(|(sAMAccountName={user})(sAMAccountName=dave)))' }),
    );
    try {
      await expect(wide.lookupEmail('alice')).resolves.toEqual({ kind: 'ambiguous', count: 2 });
    } finally {
      await wide.close();
    }
  });

  it('fails with DirectoryUnavailableError when the service account password is wrong', async () => {
    const wrong = createDirectory(configFor({ LATCHKEY_LDAP_BIND_PASSWORD: 'Not-The-Passw0rd' }));
    try {
      await expect(wrong.lookupEmail('alice')).rejects.toBeInstanceOf(DirectoryUnavailableError);
    } finally {
      await wrong.close();
    }
  });
});

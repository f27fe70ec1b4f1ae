import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { startSambaDc, startSilentServer, startSlapd, type SambaDc, type Slapd, slapdEnv } from '@latchkey/test-support';
import { createDirectory, parseDirectoryConfig, type Directory } from '../../src/directory/index.js';
import { GROUP_CACHE_MS } from '../../src/settings/lock-decision.js';
import { buildTestApp, type TestApp } from '../helper.js';

/**
 * Exempt directory groups (issue 21), nested membership included, against the real servers: slapd
 * following member / uniqueMember up from the user, Samba AD with the in-chain matching rule. Group
 * names are escaped per RFC 4515; an unreachable directory exempts nobody, within the timeout.
 */
const nonce = () => randomBytes(24).toString('base64url');

describe('nested groups on OpenLDAP (slapd)', () => {
  let slapd: Slapd;
  let directory: Directory;

  beforeAll(async () => {
    slapd = await startSlapd({
      users: [{ uid: 'alice' }, { uid: 'bob' }, { uid: 'carol' }, { uid: 'dave' }, { uid: 'eve' }],
      groups: [
        // break-glass ⊃ it-admins ⊃ tier0 ∋ alice: two levels of nesting
        { cn: 'break-glass', members: ['it-admins'] },
        { cn: 'it-admins', members: ['tier0', 'bob'] },
        { cn: 'tier0', members: ['alice'] },
        // groupOfUniqueNames on the way: kiosks ⊃ shop-floor (unique) ∋ carol
        { cn: 'kiosks', members: ['shop-floor'] },
        { cn: 'shop-floor', members: ['carol'], kind: 'groupOfUniqueNames' },
        // a cycle that does not reach break-glass: loop-a ⊃ loop-b ⊃ loop-a, dave in loop-b
        { cn: 'loop-a', members: ['loop-b'] },
        { cn: 'loop-b', members: ['loop-a', 'dave'] },
        // a name that needs escaping: eve is in it; "*" must not match every group
        { cn: 'ops (24*7)', members: ['eve'] },
        // deeper than followed: deep0 ∋ … ∋ deep9 ∋ eve
        ...Array.from({ length: 10 }, (_, i) => ({ cn: `deep${i}`, members: [i === 9 ? 'eve' : `deep${i + 1}`] })),
      ],
    });
    const config = parseDirectoryConfig({
      ...slapdEnv(slapd),
      LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
      LATCHKEY_LDAP_TIMEOUT_MS: '3000',
    });
    directory = createDirectory(config!);
  });
  afterAll(async () => {
    await directory?.close();
    await slapd?.stop();
  });

  it.each([
    ['a direct member', 'CORP\\alice', ['tier0'], 'tier0'],
    ['a member two levels down (groupOfNames)', 'alice', ['break-glass'], 'break-glass'],
    ['a member one level down', 'bob', ['break-glass'], 'break-glass'],
    ['through a groupOfUniqueNames', 'carol', ['kiosks'], 'kiosks'],
    ['the group given by DN', 'alice', ['cn=break-glass,ou=groups,dc=latchkey,dc=test'], 'cn=break-glass,ou=groups,dc=latchkey,dc=test'],
    [
      'the DN in another case and spacing',
      'alice',
      ['CN=Break-Glass, OU=groups, DC=latchkey, DC=test'],
      'CN=Break-Glass, OU=groups, DC=latchkey, DC=test',
    ],
    ['a name that needs escaping', 'eve', ['ops (24*7)'], 'ops (24*7)'],
  ])('%s is a member', async (_, osUser, groups, group) => {
    await expect(directory.memberOfAny(osUser, groups)).resolves.toEqual({ kind: 'member', group });
  });

  it.each([
    ['someone in another group', 'dave', ['break-glass']],
    ['someone in a cycle (it ends)', 'dave', ['break-glass', 'kiosks']],
    ['a wildcard in a group name is no wildcard', 'alice', ['tier*']],
    ['a filter injected through the name', 'alice', ['x)(cn=tier0']],
    ['deeper than eight levels', 'eve', ['deep0']],
  ])('%s is not', async (_, osUser, groups) => {
    await expect(directory.memberOfAny(osUser, groups)).resolves.toEqual({ kind: 'not_member' });
  });

  it('an account the directory does not know is no member', async () => {
    await expect(directory.memberOfAny('nobody', ['break-glass'])).resolves.toEqual({ kind: 'user_not_found' });
  });

  it('a cycle that contains the group is still found', async () => {
    await expect(directory.memberOfAny('dave', ['loop-a'])).resolves.toEqual({ kind: 'member', group: 'loop-a' });
  });

  describe('through POST /api/v1/client/lock-decision', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp({
        env: {
          ...slapdEnv(slapd),
          LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
          LATCHKEY_LDAP_TIMEOUT_MS: '2000',
        },
      });
      await t.updateSettings(await t.adminToken(), { exemptDirectoryGroups: ['break-glass'] });
    });
    afterAll(async () => {
      await t?.destroy();
    });

    it('a nested member is not locked (exempt_group), is audited naming the group, and the answer is cached', async () => {
      const { clientToken } = await t.enroll('LDAP-PC-1');
      const decide = (osUser: string) => t.api(clientToken)(routes.lockDecision, { body: { osUser, logonKind: 'local', nonce: nonce() } });
      expect(await decide('CORP\\alice')).toMatchObject({ lock: false, reason: 'exempt_group' });
      expect(await decide('CORP\\dave')).toEqual({ lock: true, reason: 'required' });
      const admin = await t.adminToken();
      const [event] = await t.api(admin)(routes.listAudit, { query: { type: 'session.exempt' } });
      expect(event!.detail).toContain('member of the exempt directory group "break-glass"');

      // Within GROUP_CACHE_MS the directory is not asked again; after it, it is.
      const searches = () => (slapd.log().match(/ SRCH base=/g) ?? []).length;
      const before = searches();
      expect(await decide('CORP\\alice')).toMatchObject({ lock: false });
      expect(searches()).toBe(before);
      t.clock.advance(GROUP_CACHE_MS);
      expect(await decide('CORP\\alice')).toMatchObject({ lock: false });
      expect(searches()).toBeGreaterThan(before);
    });
  });
});

describe('an unreachable directory', () => {
  it('exempts nobody and answers within the directory timeout: the lock stays', async () => {
    const silent = await startSilentServer();
    const t = await buildTestApp({
      env: {
        LATCHKEY_LDAP_URL: silent.url,
        LATCHKEY_LDAP_BIND_DN: 'cn=admin,dc=latchkey,dc=test',
        LATCHKEY_LDAP_BIND_PASSWORD: 'x',
        LATCHKEY_LDAP_BASE_DN: 'dc=latchkey,dc=test',
        LATCHKEY_LDAP_TIMEOUT_MS: '500',
      },
    });
    try {
      await t.updateSettings(await t.adminToken(), { exemptDirectoryGroups: ['break-glass'] });
      const { clientToken } = await t.enroll('LDAP-PC-2');
      const started = Date.now();
      const answer = await t.api(clientToken)(routes.lockDecision, { body: { osUser: 'CORP\\alice', logonKind: 'local', nonce: nonce() } });
      expect(answer).toEqual({ lock: true, reason: 'required' });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await t.destroy();
      await silent.stop();
    }
  });
});

describe('nested groups on Active Directory (Samba AD, in-chain matching rule)', () => {
  let dc: SambaDc;
  let directory: Directory;

  beforeAll(async () => {
    dc = await startSambaDc(
      [{ name: 'alice' }, { name: 'bob' }, { name: 'dave' }],
      [
        { name: 'Break Glass', members: ['IT Admins'] },
        { name: 'IT Admins', members: ['Tier0', 'bob'] },
        { name: 'Tier0', members: ['alice'] },
        { name: 'Shop (night)', members: ['dave'] },
      ],
    );
    const config = parseDirectoryConfig({
      LATCHKEY_LDAP_URL: dc.url,
      LATCHKEY_LDAP_BIND_DN: dc.adminUpn,
      LATCHKEY_LDAP_BIND_PASSWORD: dc.adminPassword,
      LATCHKEY_LDAP_BASE_DN: dc.baseDn,
    });
    directory = createDirectory(config!);
  }, 180_000);
  afterAll(async () => {
    await directory?.close();
    await dc?.stop();
  });

  it('finds a member two levels down, by name and by DN', async () => {
    await expect(directory.memberOfAny('LATCHKEY\\alice', ['Break Glass'])).resolves.toEqual({ kind: 'member', group: 'Break Glass' });
    const dn = dc.groupDnOf('Break Glass');
    await expect(directory.memberOfAny('alice', [dn])).resolves.toEqual({ kind: 'member', group: dn });
    await expect(directory.memberOfAny('latchkey\\BOB', ['break glass'])).resolves.toEqual({ kind: 'member', group: 'break glass' });
  });

  it('a name that needs escaping; a non-member; a wildcard name', async () => {
    await expect(directory.memberOfAny('dave', ['Shop (night)'])).resolves.toEqual({ kind: 'member', group: 'Shop (night)' });
    await expect(directory.memberOfAny('dave', ['Break Glass'])).resolves.toEqual({ kind: 'not_member' });
    await expect(directory.memberOfAny('alice', ['Tier*'])).resolves.toEqual({ kind: 'not_member' });
  });
});

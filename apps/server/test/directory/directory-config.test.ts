import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { parseDirectoryConfig } from '../../src/directory/index.js';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-directory-config-'));
const passwordFile = join(dir, 'bind-password');
writeFileSync(passwordFile, 'from-a-file\n');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '');
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = {
  LATCHKEY_LDAP_URL: 'ldaps://dc1.example.com:636',
  LATCHKEY_LDAP_BIND_DN: 'CN=svc-latchkey,OU=Service,DC=example,DC=com',
  LATCHKEY_LDAP_BIND_PASSWORD: 'bind-secret',
  LATCHKEY_LDAP_BASE_DN: 'DC=example,DC=com',
};

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseDirectoryConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError thrown');
}

describe('parseDirectoryConfig', () => {
  it('answers undefined when LATCHKEY_LDAP_URL is unset or empty (the directory method is off)', () => {
    expect(parseDirectoryConfig({})).toBeUndefined();
    expect(parseDirectoryConfig({ LATCHKEY_LDAP_URL: '  ', LATCHKEY_LDAP_BIND_DN: 'ignored' })).toBeUndefined();
  });

  it('has the documented defaults', () => {
    expect(parseDirectoryConfig(BASE)).toEqual({
      url: 'ldaps://dc1.example.com:636',
      bindDn: 'CN=svc-latchkey,OU=Service,DC=example,DC=com',
      bindPassword: 'bind-secret',
      baseDn: 'DC=example,DC=com',
      userFilter: '(sAMAccountName={user})',
      mailAttribute: 'mail',
      startTls: false,
      ca: undefined,
      timeoutMs: 5000,
    });
  });

  it('reads every setting', () => {
    const config = parseDirectoryConfig({
      ...BASE,
      LATCHKEY_LDAP_URL: 'ldap://ldap.example.com',
      LATCHKEY_LDAP_BIND_PASSWORD: undefined,
      LATCHKEY_LDAP_BIND_PASSWORD_FILE: passwordFile,
      LATCHKEY_LDAP_USER_FILTER: '(&(objectClass=inetOrgPerson)(uid={user}))',
      LATCHKEY_LDAP_MAIL_ATTRIBUTE: 'otherMailbox',
      LATCHKEY_LDAP_STARTTLS: 'true',
      LATCHKEY_LDAP_CA_FILE: caFile,
      LATCHKEY_LDAP_TIMEOUT_MS: '2500',
    });
    expect(config).toMatchObject({
      url: 'ldap://ldap.example.com',
      bindPassword: 'from-a-file',
      userFilter: '(&(objectClass=inetOrgPerson)(uid={user}))',
      mailAttribute: 'otherMailbox',
      startTls: true,
      timeoutMs: 2500,
    });
    expect(config?.ca).toContain('BEGIN CERTIFICATE');
  });

  it.each([
    ['LATCHKEY_LDAP_URL', { LATCHKEY_LDAP_URL: 'not a url' }],
    ['LATCHKEY_LDAP_URL', { LATCHKEY_LDAP_URL: 'https://dc1.example.com' }],
    ['LATCHKEY_LDAP_URL', { LATCHKEY_LDAP_URL: 'ldap://dc1.example.com/DC=example,DC=com' }],
    ['LATCHKEY_LDAP_URL', { LATCHKEY_LDAP_URL: 'ldap://user:pw@dc1.example.com' }],
    ['LATCHKEY_LDAP_BIND_DN', { LATCHKEY_LDAP_BIND_DN: undefined }],
    ['LATCHKEY_LDAP_BIND_DN', { LATCHKEY_LDAP_BIND_DN: ' ' }],
    ['LATCHKEY_LDAP_BIND_PASSWORD', { LATCHKEY_LDAP_BIND_PASSWORD: undefined }],
    ['LATCHKEY_LDAP_BIND_PASSWORD', { LATCHKEY_LDAP_BIND_PASSWORD: '' }],
    [
      'LATCHKEY_LDAP_BIND_PASSWORD_FILE',
      { LATCHKEY_LDAP_BIND_PASSWORD: undefined, LATCHKEY_LDAP_BIND_PASSWORD_FILE: join(dir, 'missing') },
    ],
    ['LATCHKEY_LDAP_BIND_PASSWORD_FILE', { LATCHKEY_LDAP_BIND_PASSWORD: undefined, LATCHKEY_LDAP_BIND_PASSWORD_FILE: emptyFile }],
    ['LATCHKEY_LDAP_BIND_PASSWORD_FILE', { LATCHKEY_LDAP_BIND_PASSWORD_FILE: passwordFile }],
    ['LATCHKEY_LDAP_BASE_DN', { LATCHKEY_LDAP_BASE_DN: undefined }],
    ['LATCHKEY_LDAP_USER_FILTER', { LATCHKEY_LDAP_USER_FILTER: '(sAMAccountName=alice)' }],
    ['LATCHKEY_LDAP_USER_FILTER', { LATCHKEY_LDAP_USER_FILTER: 'sAMAccountName={user}' }],
    ['LATCHKEY_LDAP_USER_FILTER', { LATCHKEY_LDAP_USER_FILTER: '(&(sAMAccountName={user})' }],
    ['LATCHKEY_LDAP_MAIL_ATTRIBUTE', { LATCHKEY_LDAP_MAIL_ATTRIBUTE: 'mail)(x' }],
    ['LATCHKEY_LDAP_STARTTLS', { LATCHKEY_LDAP_STARTTLS: 'yes please' }],
    ['LATCHKEY_LDAP_STARTTLS', { LATCHKEY_LDAP_STARTTLS: 'true' }],
    ['LATCHKEY_LDAP_CA_FILE', { LATCHKEY_LDAP_CA_FILE: join(dir, 'missing.pem') }],
    ['LATCHKEY_LDAP_CA_FILE', { LATCHKEY_LDAP_CA_FILE: notPem }],
    ['LATCHKEY_LDAP_TIMEOUT_MS', { LATCHKEY_LDAP_TIMEOUT_MS: 'soon' }],
    ['LATCHKEY_LDAP_TIMEOUT_MS', { LATCHKEY_LDAP_TIMEOUT_MS: '50' }],
    ['LATCHKEY_LDAP_TIMEOUT_MS', { LATCHKEY_LDAP_TIMEOUT_MS: '1.5' }],
  ])('names %s when it is wrong (%j)', (variable, change) => {
    const error = configError({ ...BASE, ...change });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it('never puts the bind password in an error', () => {
    const error = configError({ ...BASE, LATCHKEY_LDAP_BIND_PASSWORD: 'bind-secret', LATCHKEY_LDAP_BIND_PASSWORD_FILE: passwordFile });
    expect(error.message).not.toContain('bind-secret');
    expect(error.message).not.toContain('from-a-file');
  });
});

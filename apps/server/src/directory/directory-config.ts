import { ConfigError } from '../config-error.js';
import { readConfigFile, secretVariable } from '../config-file.js';
import { FilterSyntaxError, USER_PLACEHOLDER, fillUserFilter, parseLdapFilter } from './ldap-filter.js';

export interface DirectoryConfig {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  /** RFC 4515 filter with `{user}` where the escaped name part of osUser goes. */
  userFilter: string;
  mailAttribute: string;
  startTls: boolean;
  /** PEM text of the CA that signed the server's certificate; the system CAs when unset. */
  ca: string | undefined;
  /** Applies to connecting and to each LDAP operation. */
  timeoutMs: number;
}

export const DEFAULT_USER_FILTER = '(sAMAccountName={user})';
export const DEFAULT_MAIL_ATTRIBUTE = 'mail';
export const DEFAULT_TIMEOUT_MS = 5000;

/** The directory settings, or undefined when LATCHKEY_LDAP_URL is unset (directory method off). */
export function parseDirectoryConfig(env: NodeJS.ProcessEnv): DirectoryConfig | undefined {
  const url = env.LATCHKEY_LDAP_URL?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('LATCHKEY_LDAP_URL', 'must be a URL like ldaps://dc1.example.com:636');
  }
  if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') {
    throw new ConfigError('LATCHKEY_LDAP_URL', 'must start with ldap:// or ldaps://');
  }
  if (!parsed.hostname) throw new ConfigError('LATCHKEY_LDAP_URL', 'must name a host');
  // A base DN, scope or filter in the URL would be silently ignored; refuse rather than surprise.
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.username || parsed.password) {
    throw new ConfigError('LATCHKEY_LDAP_URL', 'must hold only scheme, host and port (set the base DN in LATCHKEY_LDAP_BASE_DN)');
  }

  const bindDn = required(env, 'LATCHKEY_LDAP_BIND_DN');
  const bindPassword = readBindPassword(env);
  const baseDn = required(env, 'LATCHKEY_LDAP_BASE_DN');

  const userFilter = env.LATCHKEY_LDAP_USER_FILTER?.trim() || DEFAULT_USER_FILTER;
  if (!userFilter.includes(USER_PLACEHOLDER)) {
    throw new ConfigError('LATCHKEY_LDAP_USER_FILTER', `must contain ${USER_PLACEHOLDER}, e.g. ${DEFAULT_USER_FILTER}`);
  }
  try {
    parseLdapFilter(fillUserFilter(userFilter, 'probe'));
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) throw err;
    throw new ConfigError('LATCHKEY_LDAP_USER_FILTER', `is not a valid LDAP filter: ${err.message}`);
  }

  const mailAttribute = env.LATCHKEY_LDAP_MAIL_ATTRIBUTE?.trim() || DEFAULT_MAIL_ATTRIBUTE;
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(mailAttribute)) {
    throw new ConfigError('LATCHKEY_LDAP_MAIL_ATTRIBUTE', 'must be an attribute name such as mail');
  }

  const startTls = parseBoolean(env, 'LATCHKEY_LDAP_STARTTLS');
  if (startTls && parsed.protocol === 'ldaps:') {
    throw new ConfigError('LATCHKEY_LDAP_STARTTLS', 'cannot be used with ldaps:// (the connection is already TLS)');
  }

  const caFile = env.LATCHKEY_LDAP_CA_FILE?.trim();
  let ca: string | undefined;
  if (caFile) {
    ca = readConfigFile('LATCHKEY_LDAP_CA_FILE', caFile);
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError('LATCHKEY_LDAP_CA_FILE', 'must be a PEM file with at least one certificate');
    }
  }

  const timeoutText = env.LATCHKEY_LDAP_TIMEOUT_MS?.trim();
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (timeoutText) {
    if (!/^[0-9]{1,7}$/.test(timeoutText) || Number(timeoutText) < 100 || Number(timeoutText) > 120_000) {
      throw new ConfigError('LATCHKEY_LDAP_TIMEOUT_MS', 'must be a whole number of milliseconds from 100 to 120000');
    }
    timeoutMs = Number(timeoutText);
  }

  return { url: `${parsed.protocol}//${parsed.host}`, bindDn, bindPassword, baseDn, userFilter, mailAttribute, startTls, ca, timeoutMs };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'must be set when LATCHKEY_LDAP_URL is set');
  return value;
}

function readBindPassword(env: NodeJS.ProcessEnv): string {
  const password = secretVariable(env, 'LATCHKEY_LDAP_BIND_PASSWORD');
  // An empty password would make a simple bind anonymous (RFC 4513 5.1.2), which is never meant.
  if (!password)
    throw new ConfigError('LATCHKEY_LDAP_BIND_PASSWORD', 'must be set (or LATCHKEY_LDAP_BIND_PASSWORD_FILE) when LATCHKEY_LDAP_URL is set');
  return password;
}

function parseBoolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  // The same spellings as the server's other switches.
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ConfigError(name, 'must be 1/true or 0/false');
}

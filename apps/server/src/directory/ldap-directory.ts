import ldap from 'ldapjs';
import type { ConnectionOptions } from 'node:tls';
import { isValidEmail } from '@latchkey/contracts';
import type { DirectoryConfig } from './directory-config.js';
import { escapeFilterValue, fillUserFilter, parseLdapFilter } from './ldap-filter.js';
import { osUserName } from './os-user.js';

export type DirectoryLookup =
  | { kind: 'found'; email: string; dn: string }
  | { kind: 'not_found' }
  | { kind: 'disabled'; dn: string }
  | { kind: 'no_mail'; dn: string }
  | { kind: 'ambiguous'; count: number };

/** Whether an account belongs to one of the exempt groups; `group` is the entry as the settings give it. */
export type GroupMembership = { kind: 'member'; group: string } | { kind: 'not_member' } | { kind: 'user_not_found' };

export interface Directory {
  /** Finds osUser (`DOMAIN\name`, `name` or `name@domain`) and the email to send its OTP to. */
  lookupEmail(osUser: string): Promise<DirectoryLookup>;
  /**
   * Whether osUser is a member of any of `groups` (each a DN or a group name), nested membership
   * included: on Active Directory by the in-chain matching rule, elsewhere (OpenLDAP) by following
   * `member` of groupOfNames and `uniqueMember` of groupOfUniqueNames up from the user, at most
   * MAX_NESTING levels, each group once (cycles end).
   */
  memberOfAny(osUser: string, groups: readonly string[]): Promise<GroupMembership>;
  /** Ends every connection still open; later lookups fail. */
  close(): Promise<void>;
}

/**
 * The directory could not answer: unreachable, TLS failed, the service account's bind was refused,
 * the search failed or something timed out. The message names the step, never a password; the
 * library's error is kept as `cause` for the server log.
 */
export class DirectoryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryUnavailableError';
  }
}

/** Active Directory userAccountControl ACCOUNTDISABLE. */
const ACCOUNT_DISABLED = 0x2;
/** Enough to tell "one" from "more than one" while still reporting a useful count. */
const SIZE_LIMIT = 10;
const LDAP_SIZE_LIMIT_EXCEEDED = 4;
/** Levels of groups in groups followed on a directory without the in-chain rule. */
export const MAX_NESTING = 8;
/** Groups read per level at most when following membership up (a level with more is cut there). */
const GROUPS_PER_LEVEL = 500;
/** LDAP_MATCHING_RULE_IN_CHAIN: Active Directory walks the whole membership chain itself. */
const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
/** LDAP_CAP_ACTIVE_DIRECTORY_OID in the root DSE's supportedCapabilities. */
const ACTIVE_DIRECTORY_CAPABILITY = '1.2.840.113556.1.4.800';
const GROUP_CLASSES = '(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';
/** Unbind has no response; wait this long at most for the server to close before destroying. */
const UNBIND_WAIT_MS = 1000;

interface Entry {
  dn: string;
  attributes: Map<string, string[]>;
}

export function createDirectory(config: DirectoryConfig): Directory {
  const open = new Set<ldap.Client>();
  let closed = false;

  let activeDirectory: boolean | undefined;

  /** One connection, bound as the service account, for `work`; released whatever happens. */
  async function bound<T>(work: (client: ldap.Client) => Promise<T>): Promise<T> {
    if (closed) throw new DirectoryUnavailableError('directory client is closed');
    const client = ldap.createClient({
      url: [config.url],
      connectTimeout: config.timeoutMs,
      timeout: config.timeoutMs,
      tlsOptions: tlsOptions(config),
    });
    open.add(client);
    // Without a listener ldapjs would turn a late socket error into an uncaught exception.
    client.on('error', () => {});
    try {
      await step(client, config.timeoutMs, 'connect', (done) => {
        client.once('connect', () => done());
      });
      if (config.startTls) {
        await step(client, config.timeoutMs, 'StartTLS', (done) => client.starttls(tlsOptions(config), [], (err) => done(err)));
      }
      await step(client, config.timeoutMs, 'bind', (done) => client.bind(config.bindDn, config.bindPassword, (err) => done(err)));
      return await work(client);
    } finally {
      await release(client);
      open.delete(client);
    }
  }

  const userFilterFor = (name: string) => parseLdapFilter(fillUserFilter(config.userFilter, name));

  /** Group entries as DNs (normalised) → the settings entry they came from; a name is looked up by cn or sAMAccountName. */
  async function resolveGroups(client: ldap.Client, groups: readonly string[]): Promise<Map<string, string>> {
    const targets = new Map<string, string>();
    for (const group of groups) {
      if (group.includes('=')) {
        targets.set(normaliseDn(group), group);
        continue;
      }
      const value = escapeFilterValue(group);
      const filter = parseLdapFilter(`(&${GROUP_CLASSES}(|(cn=${value})(sAMAccountName=${value})))`);
      const found = await search(client, config, { base: config.baseDn, filter, attributes: ['1.1'], sizeLimit: SIZE_LIMIT });
      for (const entry of Array.isArray(found) ? found : []) targets.set(normaliseDn(entry.dn), group);
    }
    return targets;
  }

  async function isActiveDirectory(client: ldap.Client): Promise<boolean> {
    if (activeDirectory === undefined) {
      const root = await search(client, config, {
        base: '',
        scope: 'base',
        filter: parseLdapFilter('(objectClass=*)'),
        attributes: ['supportedCapabilities'],
        sizeLimit: 1,
      });
      const capabilities = Array.isArray(root) ? (root[0]?.attributes.get('supportedcapabilities') ?? []) : [];
      activeDirectory = capabilities.includes(ACTIVE_DIRECTORY_CAPABILITY);
    }
    return activeDirectory;
  }

  /** Active Directory: one base search on the user per group, the server following the chain. */
  async function inChain(client: ldap.Client, userDn: string, targets: Map<string, string>): Promise<GroupMembership> {
    for (const [dn, group] of targets) {
      const filter = parseLdapFilter(`(memberOf:${IN_CHAIN_RULE}:=${escapeFilterValue(dn)})`);
      const found = await search(client, config, { base: userDn, scope: 'base', filter, attributes: ['1.1'], sizeLimit: 1 });
      if (Array.isArray(found) && found.length > 0) return { kind: 'member', group };
    }
    return { kind: 'not_member' };
  }

  /** Elsewhere: the groups that list the user, then the groups that list those, level by level. */
  async function followMembers(client: ldap.Client, userDn: string, targets: Map<string, string>): Promise<GroupMembership> {
    const seen = new Set<string>([normaliseDn(userDn)]);
    let frontier = [userDn];
    for (let level = 0; level < MAX_NESTING && frontier.length > 0; level++) {
      const values = frontier.map(escapeFilterValue);
      const filter = parseLdapFilter(`(|${values.map((v) => `(member=${v})(uniqueMember=${v})`).join('')})`);
      const found = await search(client, config, { base: config.baseDn, filter, attributes: ['1.1'], sizeLimit: GROUPS_PER_LEVEL });
      const next: string[] = [];
      for (const entry of Array.isArray(found) ? found : []) {
        const dn = normaliseDn(entry.dn);
        const group = targets.get(dn);
        if (group !== undefined) return { kind: 'member', group };
        if (!seen.has(dn)) {
          seen.add(dn);
          next.push(entry.dn);
        }
      }
      frontier = next;
    }
    return { kind: 'not_member' };
  }

  return {
    async lookupEmail(osUser) {
      const name = osUserName(osUser);
      if (name === '') return { kind: 'not_found' };
      return bound(async (client) => {
        const entries = await search(client, config, {
          base: config.baseDn,
          filter: userFilterFor(name),
          attributes: [config.mailAttribute, 'userAccountControl'],
          sizeLimit: SIZE_LIMIT,
        });
        return classify(entries, config.mailAttribute);
      });
    },

    async memberOfAny(osUser, groups) {
      const name = osUserName(osUser);
      if (name === '') return { kind: 'user_not_found' };
      if (groups.length === 0) return { kind: 'not_member' };
      return bound(async (client) => {
        const users = await search(client, config, { base: config.baseDn, filter: userFilterFor(name), attributes: ['1.1'], sizeLimit: 2 });
        // None, or more than one account with this name: nobody to exempt.
        if (!Array.isArray(users) || users.length !== 1) return { kind: 'user_not_found' };
        const userDn = users[0]!.dn;
        const targets = await resolveGroups(client, groups);
        if (targets.size === 0) return { kind: 'not_member' };
        return (await isActiveDirectory(client)) ? inChain(client, userDn, targets) : followMembers(client, userDn, targets);
      });
    },

    async close() {
      closed = true;
      await Promise.all([...open].map(release));
      open.clear();
    },
  };
}

function tlsOptions(config: DirectoryConfig): ConnectionOptions {
  // The host name is still verified against the certificate; only the trusted CA changes.
  return config.ca ? { ca: [config.ca] } : {};
}

function classify(entries: Entry[] | { truncated: number }, mailAttribute: string): DirectoryLookup {
  if (!Array.isArray(entries)) return { kind: 'ambiguous', count: entries.truncated };
  if (entries.length > 1) return { kind: 'ambiguous', count: entries.length };
  const entry = entries[0];
  if (!entry) return { kind: 'not_found' };
  const control = Number(entry.attributes.get('useraccountcontrol')?.[0] ?? 0);
  if (Number.isInteger(control) && (control & ACCOUNT_DISABLED) !== 0) return { kind: 'disabled', dn: entry.dn };
  // mail may hold several values (inetOrgPerson); the first well-formed address is used.
  const email = entry.attributes.get(mailAttribute.toLowerCase())?.find((value) => isValidEmail(value));
  if (!email) return { kind: 'no_mail', dn: entry.dn };
  return { kind: 'found', email, dn: entry.dn };
}

interface SearchRequest {
  base: string;
  scope?: 'base' | 'sub';
  filter: ldap.SearchOptions['filter'];
  attributes: string[];
  sizeLimit: number;
}

/** A DN as compared here: RDNs trimmed, lower case (directories compare DNs case-insensitively). */
function normaliseDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.trim())
    .join(',')
    .normalize('NFC')
    .toLowerCase();
}

/** All entries, or how many arrived before the server's size limit stopped the search. */
function search(client: ldap.Client, config: DirectoryConfig, request: SearchRequest): Promise<Entry[] | { truncated: number }> {
  const entries: Entry[] = [];
  return step(client, config.timeoutMs, 'search', (done) => {
    const options: ldap.SearchOptions = {
      scope: request.scope ?? 'sub',
      filter: request.filter,
      attributes: request.attributes,
      sizeLimit: request.sizeLimit,
      timeLimit: Math.max(1, Math.ceil(config.timeoutMs / 1000)),
    };
    client.search(request.base, options, (err, res) => {
      if (err) return done(err);
      res.on('searchEntry', (entry) => entries.push(toEntry(entry)));
      // Continuation references (AD's DomainDnsZones and the like) are other naming contexts: not followed.
      res.on('searchReference', () => {});
      res.on('error', (error: Error & { code?: number }) => {
        if (error.code === LDAP_SIZE_LIMIT_EXCEEDED) done(undefined, { truncated: entries.length });
        else done(error);
      });
      res.on('end', () => done(undefined, entries));
    });
  });
}

function toEntry(entry: ldap.SearchEntry): Entry {
  const pojo = entry.pojo;
  const attributes = new Map<string, string[]>();
  for (const attribute of pojo.attributes) attributes.set(attribute.type.toLowerCase(), attribute.values);
  return { dn: pojo.objectName ?? '', attributes };
}

/**
 * Runs one LDAP step and settles exactly once: on its callback, on a timeout of our own (ldapjs
 * has none for connecting over TLS or for StartTLS), or when the connection errors or closes
 * under it (the server went away).
 */
function step<T = void>(
  client: ldap.Client,
  timeoutMs: number,
  what: string,
  start: (done: (err?: Error | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error | null, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const [event, listener] of listeners) client.removeListener(event, listener);
      if (!err) resolve(value as T);
      else if (err instanceof DirectoryUnavailableError) reject(err);
      // ldapjs's own request timer runs alongside ours; either way it is the same timeout.
      else if (err.name === 'TimeoutError')
        reject(new DirectoryUnavailableError(`LDAP ${what} timed out after ${timeoutMs} ms`, { cause: err }));
      else reject(new DirectoryUnavailableError(`LDAP ${what} failed: ${describe(err)}`, { cause: err }));
    };
    const timer = setTimeout(() => finish(new DirectoryUnavailableError(`LDAP ${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    const listeners: Array<[string, (err?: unknown) => void]> = [
      ['error', (err) => finish(asError(err, 'connection error'))],
      ['connectError', (err) => finish(asError(err, 'cannot connect'))],
      ['connectRefused', (err) => finish(asError(err, 'connection refused'))],
      ['connectTimeout', (err) => finish(asError(err, 'connect timeout'))],
      ['close', () => finish(new Error('connection closed'))],
      ['destroy', () => finish(new Error('client closed'))],
    ];
    for (const [event, listener] of listeners) client.on(event, listener);
    try {
      start(finish);
    } catch (err) {
      finish(asError(err, 'failed'));
    }
  });
}

/** Unbinds when connected, then destroys the client, whatever state it is in. */
async function release(client: ldap.Client): Promise<void> {
  if (client.connected) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, UNBIND_WAIT_MS);
      try {
        client.unbind(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
  client.destroy();
}

function asError(value: unknown, fallback: string): Error {
  return value instanceof Error ? value : new Error(fallback);
}

/** The LDAP result name or socket error code: enough to diagnose, no library internals. */
function describe(err: Error): string {
  const { code, lde_message: ldapMessage } = err as Error & { code?: unknown; lde_message?: unknown };
  if (typeof code === 'string') return code;
  if (err.name && err.name !== 'Error' && typeof ldapMessage === 'string') return err.name;
  return err.message;
}

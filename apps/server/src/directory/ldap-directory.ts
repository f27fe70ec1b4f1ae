import ldap from 'ldapjs';
import type { ConnectionOptions } from 'node:tls';
import { isValidEmail } from '@latchkey/contracts';
import type { DirectoryConfig } from './directory-config.js';
import { fillUserFilter, parseLdapFilter } from './ldap-filter.js';
import { osUserName } from './os-user.js';

export type DirectoryLookup =
  | { kind: 'found'; email: string; dn: string }
  | { kind: 'not_found' }
  | { kind: 'disabled'; dn: string }
  | { kind: 'no_mail'; dn: string }
  | { kind: 'ambiguous'; count: number };

export interface Directory {
  /** Finds osUser (`DOMAIN\name`, `name` or `name@domain`) and the email to send its OTP to. */
  lookupEmail(osUser: string): Promise<DirectoryLookup>;
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
/** Unbind has no response; wait this long at most for the server to close before destroying. */
const UNBIND_WAIT_MS = 1000;

interface Entry {
  dn: string;
  attributes: Map<string, string[]>;
}

export function createDirectory(config: DirectoryConfig): Directory {
  const open = new Set<ldap.Client>();
  let closed = false;

  return {
    async lookupEmail(osUser) {
      if (closed) throw new DirectoryUnavailableError('directory client is closed');
      const name = osUserName(osUser);
      if (name === '') return { kind: 'not_found' };
      const filter = parseLdapFilter(fillUserFilter(config.userFilter, name));

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
        const entries = await search(client, config, filter);
        return classify(entries, config.mailAttribute);
      } finally {
        await release(client);
        open.delete(client);
      }
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

/** All entries, or how many arrived before the server's size limit stopped the search. */
function search(
  client: ldap.Client,
  config: DirectoryConfig,
  filter: ldap.SearchOptions['filter'],
): Promise<Entry[] | { truncated: number }> {
  const entries: Entry[] = [];
  return step(client, config.timeoutMs, 'search', (done) => {
    const options: ldap.SearchOptions = {
      scope: 'sub',
      filter,
      attributes: [config.mailAttribute, 'userAccountControl'],
      sizeLimit: SIZE_LIMIT,
      timeLimit: Math.max(1, Math.ceil(config.timeoutMs / 1000)),
    };
    client.search(config.baseDn, options, (err, res) => {
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

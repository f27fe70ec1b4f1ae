import { ConfigError } from '../../config-error.js';

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
const SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
/** Query parameters the URL may carry (libpq's names); anything else is refused rather than ignored. */
const KNOWN_PARAMS = new Set([
  'sslmode',
  'target_session_attrs',
  'application_name',
  'connect_timeout',
  'sslrootcert',
  'sslcert',
  'sslkey',
]);

export interface PostgresUrl {
  /** The URL as given: what the driver connects with (it holds the password: never log it). */
  url: string;
  hosts: { host: string; port: number }[];
  database: string;
  user: string;
  sslmode: (typeof SSL_MODES)[number];
  targetSessionAttrs: (typeof SESSION_ATTRS)[number];
  /** For logs and health: the URL without its password. */
  redacted: string;
}

/**
 * Reads `LATCHKEY_DATABASE_URL` (the `_FILE` variant is already read into it by withFileSecrets):
 * `postgres://user:password@host:port/db`, several hosts allowed (`host1:5432,host2:5432`) with
 * `target_session_attrs=read-write` (or `primary`), TLS by `sslmode`. WHATWG URL cannot parse a
 * host list, so this reads libpq's URI form itself. Errors name the variable, never the password.
 */
export function parseDatabaseUrl(raw: string, variable = 'LATCHKEY_DATABASE_URL'): PostgresUrl {
  const fail = (why: string): never => {
    throw new ConfigError(variable, `${why} (expected postgres://user:password@host:5432/database)`);
  };
  const match = /^(postgres(?:ql)?):\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(raw.trim());
  if (!match) return fail('is not a postgres:// URL');
  const [, , userInfo = '', hostList = '', path = '', query = ''] = match;
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail(`has a badly escaped ${what}`);
    }
  };
  const colon = userInfo.indexOf(':');
  const user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name');
  if (!user) fail('names no user');

  const hosts = hostList.split(',').map((entry) => {
    const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!hostPort) return fail(`has a host that is not host or host:port: "${entry}"`);
    const port = hostPort[2] === undefined ? 5432 : Number(hostPort[2]);
    if (port < 1 || port > 65535) fail(`has a port out of range: ${port}`);
    return { host: hostPort[1]!.replace(/^\[|\]$/g, ''), port };
  });

  const database = decode(path, 'database name');
  if (!database || database.includes('/')) fail('names no database');

  const params = new URLSearchParams(query);
  for (const name of params.keys()) {
    if (!KNOWN_PARAMS.has(name)) fail(`has an unknown parameter "${name}" (known: ${[...KNOWN_PARAMS].join(', ')})`);
  }
  // Without sslmode the driver does not encrypt (libpq would try TLS first): across a network, set it.
  const sslmode = params.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) fail(`sslmode must be one of ${SSL_MODES.join(', ')}`);
  if (sslmode === 'verify-ca' && !params.get('sslrootcert')) fail('sslmode=verify-ca needs sslrootcert (the CA file)');
  const targetSessionAttrs = params.get('target_session_attrs') ?? 'any';
  if (!(SESSION_ATTRS as readonly string[]).includes(targetSessionAttrs)) {
    fail(`target_session_attrs must be one of ${SESSION_ATTRS.join(', ')}`);
  }
  if (hosts.length > 1 && targetSessionAttrs !== 'read-write' && targetSessionAttrs !== 'primary') {
    fail('lists several hosts but not target_session_attrs=read-write, so a node could connect to a read-only standby');
  }
  return {
    url: raw.trim(),
    hosts,
    database,
    user,
    sslmode: sslmode as PostgresUrl['sslmode'],
    targetSessionAttrs: targetSessionAttrs as PostgresUrl['targetSessionAttrs'],
    redacted: raw.trim().replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, '$1:***@'),
  };
}

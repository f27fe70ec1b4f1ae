import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidEmail } from '@latchkey/contracts';
import { ConfigError } from './config-error.js';
import { readConfigFile, withFileSecrets } from './config-file.js';
import { parseTlsFiles, type TlsFiles } from './tls.js';
import { signingKeyProblem } from './crypto/signing-key.js';
import type { SyslogTarget } from './syslog/syslog-sender.js';
import { parseDirectoryConfig, type DirectoryConfig } from './directory/index.js';
import { parseDatabaseUrl, type PostgresUrl } from './db/postgres/database-url.js';

export interface RateLimitConfig {
  /** Calls a minute per enrolled Client, across its endpoints. */
  clientPerMinute: number;
  /** Calls a minute per address for endpoints without a Client or user (enroll, login). */
  anonymousPerMinute: number;
  /** Calls a minute per signed-in Management Tool user. */
  adminPerMinute: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  smtpUrl: URL | undefined;
  /** PEM of the CA that signed the SMTP server's certificate; the system CAs when unset. */
  smtpCa: string | undefined;
  mailFrom: string;
  enrollmentKey: string | undefined;
  adminPassword: string | undefined;
  adminEmail: string;
  /** Base64 of 32 bytes; when unset the key lives in `<dataDir>/secret.key`. */
  secret: Buffer | undefined;
  /**
   * LATCHKEY_SIGNING_KEY_FILE: the verdict-signing key (PKCS#8 PEM), the same file on every node;
   * when unset the key lives in `<dataDir>/signing.key`.
   */
  signingKey: { file: string; pem: string } | undefined;
  /** LATCHKEY_NODE_NAME (default the host name): which node answered, in health, log lines and metrics. */
  nodeName: string;
  publicUrl: string;
  /** PEM certificate and key: the server speaks HTTPS itself (reloaded on SIGHUP). */
  tls: TlsFiles | undefined;
  demo: boolean;
  /** The built Management Tool: LATCHKEY_CONSOLE_DIR (relative to the working directory), else the monorepo's apps/console/dist. */
  consoleDir: string;
  /** The built lock renderer the preview serves: LATCHKEY_PREVIEW_DIR, else the monorepo's apps/client/dist/renderer. */
  previewDir: string;
  /** false, or the proxy addresses whose X-Forwarded-For is believed. */
  trustProxy: false | string[];
  rateLimits: RateLimitConfig;
  adminIdleSeconds: number;
  /** A Management Tool session ends this long after sign-in, used or not. */
  adminMaxSessionSeconds: number;
  /** A request (headers and body) must arrive completely within this long, or its socket is cut. */
  requestTimeoutMs: number;
  logLevel: string;
  /** Where every audit event is also sent as RFC 5424 (LATCHKEY_SYSLOG_URL). */
  syslog: SyslogTarget | undefined;
  /** Bearer token for GET /metrics; the endpoint answers 404 when unset. */
  metricsToken: string | undefined;
  /** Answer 503 to everything but health while the event loop lags more than this (0: never). */
  maxEventLoopDelayMs: number;
  /** Active Directory over LDAP for the `directory` method; undefined when LATCHKEY_LDAP_URL is unset. */
  directory: DirectoryConfig | undefined;
  /** IANA time zone for times in mails (LATCHKEY_TIME_ZONE; the system's when unset). */
  timeZone: string;
  /** Threads in libuv's pool (UV_THREADPOOL_SIZE): scrypt and verdict signatures run there. */
  threadPoolSize: number;
  /** PostgreSQL (LATCHKEY_DATABASE_URL or _FILE); undefined: SQLite in the data dir. */
  database: PostgresUrl | undefined;
  /** PostgreSQL connections per node (LATCHKEY_DATABASE_POOL_SIZE, default 10). */
  databasePoolSize: number;
}

type Env = Record<string, string | undefined>;

/** The largest duration in seconds whose milliseconds are still exact integers. */
const MAX_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(name, `must be 1/true or 0/false, got "${raw}"`);
}

/** apps/console/dist and apps/client/dist/renderer, seen from apps/server/{src,dist}/. */
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const DEFAULT_PREVIEW_DIR = fileURLToPath(new URL('../../client/dist/renderer/', import.meta.url));

/** A folder variable: unset or blank gives the fallback, a relative path is taken from the working directory. */
function folder(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw ? resolve(raw) : fallback;
}

const dataDirOf = (env: Env): string => folder(env, 'LATCHKEY_DATA_DIR', resolve('./data'));

function secretOf(env: Env): Buffer | undefined {
  if (!env.LATCHKEY_SECRET) return undefined;
  const secret = Buffer.from(env.LATCHKEY_SECRET, 'base64');
  if (secret.length !== 32) throw new ConfigError('LATCHKEY_SECRET', 'must be 32 bytes in base64 (openssl rand -base64 32)');
  return secret;
}

/**
 * What `npm run backup` and `npm run restore` read: the data dir and the server key (LATCHKEY_SECRET
 * or LATCHKEY_SECRET_FILE), without asking for the rest of a server's configuration.
 */
export interface DataConfig extends Pick<Config, 'dataDir' | 'secret'> {
  /** LATCHKEY_DATABASE_URL (or _FILE) is set: the node runs on PostgreSQL. */
  onPostgres: boolean;
  /** The URL itself (db:copy's default target); a secret. */
  databaseUrl: string | undefined;
  /** Where the key files are named, when they are (db:copy says which keys the nodes will read). */
  secretFile: string | undefined;
  signingKeyFile: string | undefined;
}

export function loadDataConfig(rawEnv: Env = process.env): DataConfig {
  const env = withFileSecrets(rawEnv);
  return {
    dataDir: dataDirOf(env),
    secret: secretOf(env),
    onPostgres: Boolean(env.LATCHKEY_DATABASE_URL),
    databaseUrl: env.LATCHKEY_DATABASE_URL || undefined,
    secretFile: rawEnv.LATCHKEY_SECRET_FILE?.trim() || undefined,
    signingKeyFile: rawEnv.LATCHKEY_SIGNING_KEY_FILE?.trim() || undefined,
  };
}

/** Why `npm run backup` and `restore` do not run for a node on PostgreSQL (its data dir may hold a stale latchkey.db from before the move). */
export const BACKUP_IS_SQLITE_ONLY =
  'this node runs on PostgreSQL (LATCHKEY_DATABASE_URL is set), and npm run backup and restore are for the SQLite database: back PostgreSQL up with pg_dump or base backups (docs/operations.md, "Backing up PostgreSQL")';

export function loadConfig(rawEnv: Env = process.env): Config {
  // Every secret may come from a file instead (LATCHKEY_SECRET_FILE and so on); from here on it is one variable.
  const env = withFileSecrets(rawEnv);
  const host = env.LATCHKEY_HOST || '127.0.0.1';
  const port = integer(env, 'LATCHKEY_PORT', 8080, 0, 65535);

  let smtpUrl: URL | undefined;
  if (env.LATCHKEY_SMTP_URL) {
    try {
      smtpUrl = new URL(env.LATCHKEY_SMTP_URL);
    } catch {
      throw new ConfigError('LATCHKEY_SMTP_URL', 'is not a URL (expected smtp://host:port or smtps://host:port)');
    }
    if (smtpUrl.protocol !== 'smtp:' && smtpUrl.protocol !== 'smtps:') {
      throw new ConfigError('LATCHKEY_SMTP_URL', `must start with smtp:// or smtps://, got ${smtpUrl.protocol}//`);
    }
  }

  let smtpCa: string | undefined;
  if (env.LATCHKEY_SMTP_CA_FILE) {
    smtpCa = readConfigFile('LATCHKEY_SMTP_CA_FILE', env.LATCHKEY_SMTP_CA_FILE);
    if (!smtpCa.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('LATCHKEY_SMTP_CA_FILE', 'must hold a PEM certificate');
  }

  const mailFrom = env.LATCHKEY_MAIL_FROM || 'Latchkey <latchkey@localhost>';
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('LATCHKEY_MAIL_FROM', 'must be one line');

  const enrollmentKey = env.LATCHKEY_ENROLLMENT_KEY || undefined;
  if (enrollmentKey !== undefined && enrollmentKey.length < 16) {
    throw new ConfigError('LATCHKEY_ENROLLMENT_KEY', 'must be at least 16 characters long');
  }
  const adminPassword = env.LATCHKEY_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('LATCHKEY_ADMIN_PASSWORD', 'must be at least 10 characters long');
  }
  const adminEmail = env.LATCHKEY_ADMIN_EMAIL || 'admin@localhost.localdomain';
  if (!isValidEmail(adminEmail)) throw new ConfigError('LATCHKEY_ADMIN_EMAIL', 'must be one plain email address');

  const secret = secretOf(env);

  let signingKey: Config['signingKey'];
  if (env.LATCHKEY_SIGNING_KEY_FILE) {
    const file = resolve(env.LATCHKEY_SIGNING_KEY_FILE.trim());
    const pem = readConfigFile('LATCHKEY_SIGNING_KEY_FILE', file);
    const problem = signingKeyProblem(pem);
    if (problem) throw new ConfigError('LATCHKEY_SIGNING_KEY_FILE', `${problem} (${file})`);
    signingKey = { file, pem };
  }

  const nodeName = env.LATCHKEY_NODE_NAME?.trim() || hostname();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(nodeName)) {
    throw new ConfigError('LATCHKEY_NODE_NAME', 'must be 1 to 63 letters, digits, dots, dashes or underscores');
  }

  const tls = parseTlsFiles(env);
  const publicUrl = (env.LATCHKEY_PUBLIC_URL || `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/$/,
    '',
  );
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError('LATCHKEY_PUBLIC_URL', 'is not a URL');
  }

  let trustProxy: false | string[] = false;
  if (env.LATCHKEY_TRUST_PROXY) {
    trustProxy = env.LATCHKEY_TRUST_PROXY.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (trustProxy.some((a) => !/^[0-9a-fA-F:./]+$/.test(a))) {
      throw new ConfigError('LATCHKEY_TRUST_PROXY', 'must be a comma-separated list of proxy addresses or CIDR ranges');
    }
  }

  const logLevel = env.LATCHKEY_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LATCHKEY_LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }

  const metricsToken = env.LATCHKEY_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    throw new ConfigError('LATCHKEY_METRICS_TOKEN', 'must be at least 16 characters without spaces (openssl rand -hex 24)');
  }

  return {
    syslog: parseSyslog(env),
    host,
    port,
    dataDir: dataDirOf(env),
    smtpUrl,
    smtpCa,
    mailFrom,
    enrollmentKey,
    adminPassword,
    adminEmail,
    secret,
    signingKey,
    nodeName,
    publicUrl,
    tls,
    demo: flag(env, 'LATCHKEY_DEMO'),
    consoleDir: folder(env, 'LATCHKEY_CONSOLE_DIR', DEFAULT_CONSOLE_DIR),
    previewDir: folder(env, 'LATCHKEY_PREVIEW_DIR', DEFAULT_PREVIEW_DIR),
    trustProxy,
    rateLimits: {
      clientPerMinute: integer(env, 'LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE', 60, 1, 1_000_000),
      anonymousPerMinute: integer(env, 'LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE', 20, 1, 1_000_000),
      adminPerMinute: integer(env, 'LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE', 600, 1, 1_000_000),
    },
    adminIdleSeconds: integer(env, 'LATCHKEY_ADMIN_IDLE_SECONDS', 1200, 5, 86_400),
    adminMaxSessionSeconds: integer(env, 'LATCHKEY_ADMIN_MAX_SESSION_SECONDS', 43_200, 1, MAX_SECONDS),
    requestTimeoutMs: integer(env, 'LATCHKEY_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    logLevel,
    metricsToken,
    maxEventLoopDelayMs: integer(env, 'LATCHKEY_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
    directory: parseDirectoryConfig(env),
    timeZone: timeZoneOf(env),
    // libuv's own variable (it reads it when it starts its pool); the server only needs to know the size.
    threadPoolSize: integer(env, 'UV_THREADPOOL_SIZE', 4, 1, 1024),
    database: env.LATCHKEY_DATABASE_URL ? parseDatabaseUrl(env.LATCHKEY_DATABASE_URL) : undefined,
    databasePoolSize: integer(env, 'LATCHKEY_DATABASE_POOL_SIZE', 10, 1, 500),
  };
}

function timeZoneOf(env: Env): string {
  const name = env.LATCHKEY_TIME_ZONE;
  if (!name) return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError('LATCHKEY_TIME_ZONE', `is not an IANA time zone name (like Europe/Berlin or UTC), got "${name}"`);
  }
}

function parseSyslog(env: Env): SyslogTarget | undefined {
  const raw = env.LATCHKEY_SYSLOG_URL?.trim();
  if (!raw) return undefined;
  const usage = 'must be udp://host:port, tcp://host:port or tls://host:port';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('LATCHKEY_SYSLOG_URL', usage);
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') throw new ConfigError('LATCHKEY_SYSLOG_URL', usage);
  if (!url.hostname || !url.port || (url.pathname !== '' && url.pathname !== '/') || url.search || url.username) {
    throw new ConfigError('LATCHKEY_SYSLOG_URL', usage);
  }
  let ca: string | undefined;
  if (env.LATCHKEY_SYSLOG_CA_FILE) {
    if (protocol !== 'tls') throw new ConfigError('LATCHKEY_SYSLOG_CA_FILE', 'applies only to tls:// syslog');
    ca = readConfigFile('LATCHKEY_SYSLOG_CA_FILE', env.LATCHKEY_SYSLOG_CA_FILE);
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('LATCHKEY_SYSLOG_CA_FILE', 'must hold a PEM certificate');
  }
  return { protocol, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), ...(ca ? { ca } : {}) };
}

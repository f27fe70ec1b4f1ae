import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isValidEmail } from '@latchkey/contracts';
import { ConfigError } from './config-error.js';
import { parseDirectoryConfig, type DirectoryConfig } from './directory/index.js';

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
  publicUrl: string;
  demo: boolean;
  /** false, or the proxy addresses whose X-Forwarded-For is believed. */
  trustProxy: false | string[];
  rateLimits: RateLimitConfig;
  adminIdleSeconds: number;
  /** A Management Tool session ends this long after sign-in, used or not. */
  adminMaxSessionSeconds: number;
  /** A request (headers and body) must arrive completely within this long, or its socket is cut. */
  requestTimeoutMs: number;
  logLevel: string;
  /** Active Directory over LDAP for the `directory` method; undefined when LATCHKEY_LDAP_URL is unset. */
  directory: DirectoryConfig | undefined;
  /** IANA time zone for times in mails (LATCHKEY_TIME_ZONE; the system's when unset). */
  timeZone: string;
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

export function loadConfig(env: Env = process.env): Config {
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
    try {
      smtpCa = readFileSync(env.LATCHKEY_SMTP_CA_FILE, 'utf8');
    } catch {
      throw new ConfigError('LATCHKEY_SMTP_CA_FILE', `cannot read ${env.LATCHKEY_SMTP_CA_FILE}`);
    }
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

  let secret: Buffer | undefined;
  if (env.LATCHKEY_SECRET) {
    secret = Buffer.from(env.LATCHKEY_SECRET, 'base64');
    if (secret.length !== 32) throw new ConfigError('LATCHKEY_SECRET', 'must be 32 bytes in base64 (openssl rand -base64 32)');
  }

  const publicUrl = (env.LATCHKEY_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, '');
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

  return {
    host,
    port,
    dataDir: resolve(env.LATCHKEY_DATA_DIR || './data'),
    smtpUrl,
    smtpCa,
    mailFrom,
    enrollmentKey,
    adminPassword,
    adminEmail,
    secret,
    publicUrl,
    demo: flag(env, 'LATCHKEY_DEMO'),
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
    directory: parseDirectoryConfig(env),
    timeZone: timeZoneOf(env),
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

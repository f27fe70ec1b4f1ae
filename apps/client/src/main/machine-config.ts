import { isAbsolute, join } from 'node:path';
import { isServerPublicKey } from '@latchkey/contracts';

/**
 * The machine-wide settings the installer writes: which server to use and the enrollment key.
 * Windows: %ProgramData%\Latchkey\client.json. Elsewhere: $LATCHKEY_CLIENT_CONFIG, else
 * /etc/latchkey/client.json.
 */
export interface MachineConfig {
  /** The first of serverUrls. */
  serverUrl: string;
  /**
   * Every server, in the order they are tried (server-failover.ts): the installer's
   * `/SERVERURL=a;b` is written as `"serverUrl": "a;b"`. Nodes of one deployment sign with one key.
   */
  serverUrls: string[];
  enrollmentKey: string;
  /** Defaults to the OS host name. */
  computerName?: string;
  /**
   * The server's verdict-signing key (`/SERVERKEY=`), raw Ed25519 base64url. When set, an enroll
   * answer naming another key is refused and only verdicts signed by this key unlock.
   */
  serverPublicKey?: string;
}

export class MachineConfigError extends Error {
  override name = 'MachineConfigError';
}

export function machineConfigPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') {
    const programData = env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
    return join(programData, 'Latchkey', 'client.json');
  }
  const override = env.LATCHKEY_CLIENT_CONFIG?.trim();
  if (override) {
    if (!isAbsolute(override)) throw new MachineConfigError('LATCHKEY_CLIENT_CONFIG must be an absolute path.');
    return override;
  }
  return '/etc/latchkey/client.json';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HTTPS always, except a server on this very computer (development, tests). */
export function checkServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MachineConfigError(`serverUrl "${value}" is not a URL.`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new MachineConfigError(`serverUrl must use https:// (plain http is allowed only for a server on this computer): "${value}".`);
  }
  if (url.username || url.password) throw new MachineConfigError('serverUrl must not contain a user name or password.');
  if (url.search || url.hash) throw new MachineConfigError('serverUrl must not have a query or fragment.');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** At most this many servers: each unreachable one costs a Client the failover timeout. */
export const MAX_SERVER_URLS = 8;

/** `a;b;c` (or one URL): each checked, none twice, in the order given. */
export function parseServerUrls(value: string): string[] {
  const urls = value
    .split(';')
    .map((url) => url.trim())
    .filter(Boolean)
    .map(checkServerUrl);
  if (urls.length === 0) throw new MachineConfigError('serverUrl names no server.');
  if (urls.length > MAX_SERVER_URLS) throw new MachineConfigError(`serverUrl names more than ${MAX_SERVER_URLS} servers.`);
  const twice = urls.find((url, i) => urls.indexOf(url) !== i);
  if (twice) throw new MachineConfigError(`serverUrl names "${twice}" twice.`);
  return urls;
}

export function parseMachineConfig(text: string): MachineConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    throw new MachineConfigError('The machine configuration is not valid JSON.');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new MachineConfigError('The machine configuration must be a JSON object.');
  const { serverUrl, enrollmentKey, computerName, serverPublicKey, ...rest } = raw as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new MachineConfigError(`Unknown setting(s) in the machine configuration: ${unknown.join(', ')}.`);
  if (typeof serverUrl !== 'string') throw new MachineConfigError('serverUrl is missing.');
  if (typeof enrollmentKey !== 'string' || enrollmentKey.length < 16 || enrollmentKey.length > 256) {
    throw new MachineConfigError('enrollmentKey is missing or not 16 to 256 characters long.');
  }
  if (computerName !== undefined && (typeof computerName !== 'string' || !/^[^\p{Cc}]{1,255}$/u.test(computerName))) {
    throw new MachineConfigError('computerName must be 1 to 255 printable characters.');
  }
  if (serverPublicKey !== undefined && !isServerPublicKey(serverPublicKey)) {
    throw new MachineConfigError('serverPublicKey must be the server key as the Management Tool shows it (43 characters of base64url).');
  }
  const serverUrls = parseServerUrls(serverUrl);
  return {
    serverUrl: serverUrls[0]!,
    serverUrls,
    enrollmentKey,
    ...(computerName ? { computerName } : {}),
    ...(serverPublicKey ? { serverPublicKey } : {}),
  };
}

/** How the OS names the signed-in user: DOMAIN\name on Windows, the login name elsewhere. */
export function osUserName(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, username: string): string {
  if (platform === 'win32') {
    const domain = env.USERDOMAIN?.trim();
    return domain ? `${domain}\\${username}` : username;
  }
  return username;
}

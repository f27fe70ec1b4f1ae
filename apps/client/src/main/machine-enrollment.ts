import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  createApiClient,
  isOfflineKey,
  offlineUserKey,
  SERVER_PUBLIC_KEY_PATTERN,
  type FetchLike,
  type OfflineKey,
} from '@latchkey/contracts';
import { enrollPinned } from './enrollment.js';
import { MachineConfigError, parseServerUrls, type MachineConfig } from './machine-config.js';

/**
 * The enrollment key must not be readable by every local user: whoever holds it can enroll as many
 * Clients as they like, under any computer name. So on Windows `client.json` (server and key) is
 * readable only by SYSTEM and Administrators, and the elevated installer enrolls the computer once
 * (`Latchkey.exe --enroll-machine`). The servers and this computer's clientToken go into
 * `machine-token.json`, also SYSTEM and Administrators only: that token acts for every user of the
 * computer, so only the guard reads it and gives each user's lock a token bound to that user
 * (`POST /api/v1/client/user-tokens`). An admin can remove it in the Management Tool; it enrolls nothing.
 *
 * The offline key the enrollment answers (once) goes to `machine-offline-key.json`, SYSTEM and
 * Administrators only: every user can read the token, so the server never sends this Client's key
 * again. The guard (SYSTEM) gives each signed-in user their own key, derived from it
 * (deriveOfflineUserKey), in `offline\<hash of the user>.json`, readable by that user alone.
 */

/** Well-known SIDs, so the ACLs hold on every Windows language. */
const SYSTEM = '*S-1-5-18';
const ADMINISTRATORS = '*S-1-5-32-544';
const USERS = '*S-1-5-32-545';

/** icacls arguments after the path: inherited entries removed, then exactly these grants. */
/** The folder: new files inherit SYSTEM and Administrators only; Users may list it (not inherited). */
export const MACHINE_DIR_ACL: readonly string[] = [
  '/inheritance:r',
  '/grant:r',
  `${SYSTEM}:(OI)(CI)F`,
  `${ADMINISTRATORS}:(OI)(CI)F`,
  `${USERS}:RX`,
];
/** client.json holds the enrollment key: never readable by Users. */
export const MACHINE_CONFIG_ACL: readonly string[] = ['/inheritance:r', '/grant:r', `${SYSTEM}:F`, `${ADMINISTRATORS}:F`];
/**
 * machine-token.json and machine-offline-key.json: SYSTEM and Administrators only, like client.json.
 * Whoever can read the machine token acts for every user of the computer (issue 24): the guard
 * (SYSTEM) reads it and hands each user's lock a token bound to that user.
 */
export const MACHINE_TOKEN_ACL: readonly string[] = MACHINE_CONFIG_ACL;
/** offline\: the users' offline keys; the guard adds each user's read on their own file. */
export const MACHINE_KEY_DIR_ACL: readonly string[] = ['/inheritance:r', '/grant:r', `${SYSTEM}:(OI)(CI)F`, `${ADMINISTRATORS}:(OI)(CI)F`];

export function icaclsArgs(path: string, acl: readonly string[]): string[] {
  return [path, ...acl];
}

/**
 * The icacls runs, in order, that leave the machine's secrets SYSTEM's and Administrators' alone,
 * for the files that exist. Each file is reset first (`/reset`: only what it inherits), so a grant
 * an older version made (machine-token.json was Users:R) does not survive; then inheritance is
 * removed and exactly the grants above are written. The installer runs them at every install.
 */
export function machineFileAclCommands(configPath: string, exists: (path: string) => boolean): string[][] {
  const files: [string, readonly string[]][] = [
    [configPath, MACHINE_CONFIG_ACL],
    [machineTokenPath(configPath), MACHINE_TOKEN_ACL],
    [machineOfflineKeyPath(configPath), MACHINE_CONFIG_ACL],
  ];
  const commands = files.filter(([path]) => exists(path)).flatMap(([path, acl]) => [[path, '/reset'], icaclsArgs(path, acl)]);
  const keyDir = join(dirname(configPath), 'offline');
  if (exists(keyDir)) commands.push(icaclsArgs(keyDir, MACHINE_KEY_DIR_ACL));
  return commands;
}

/** Next to client.json: %ProgramData%\Latchkey\machine-token.json (or beside the configured path). */
export function machineTokenPath(configPath: string): string {
  return join(dirname(configPath), 'machine-token.json');
}

/** The machine's offline key: %ProgramData%\Latchkey\machine-offline-key.json (MACHINE_CONFIG_ACL). */
export function machineOfflineKeyPath(configPath: string): string {
  return join(dirname(configPath), 'machine-offline-key.json');
}

/**
 * One user's key as the guard hands it over: `offline\<hash>.json` beside client.json. Hashed so the
 * name is a plain file name whatever the user name holds; the folder inherits SYSTEM and
 * Administrators only, and the guard grants that user read access to their file.
 */
export function machineUserKeyPath(configPath: string, osUser: string): string {
  const name = createHash('sha256').update(offlineUserKey(osUser), 'utf8').digest('hex').slice(0, 32);
  return join(dirname(configPath), 'offline', `${name}.json`);
}

/** An offline key file (the machine's, or a user's), or undefined when missing or malformed. */
export function parseOfflineKeyFile(text: string | undefined): OfflineKey | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text.replace(/^\ufeff/, ''));
    return isOfflineKey(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface MachineToken {
  /** The first of serverUrls. */
  serverUrl: string;
  /** Every server, in order (the file holds them as client.json does: `"serverUrl": "a;b"`). */
  serverUrls: string[];
  clientId: string;
  clientToken: string;
  /** The server's verdict-signing key, pinned (client.json's serverPublicKey) or as enrollment gave it. */
  serverPublicKey: string;
}

export function parseMachineToken(text: string): MachineToken {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    throw new MachineConfigError('The machine token file is not valid JSON.');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new MachineConfigError('The machine token file must be a JSON object.');
  const { serverUrl, clientId, clientToken, serverPublicKey, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length)
    throw new MachineConfigError(`Unknown setting(s) in the machine token file: ${Object.keys(rest).join(', ')}.`);
  if (typeof serverUrl !== 'string') throw new MachineConfigError('serverUrl is missing from the machine token file.');
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(clientId))
    throw new MachineConfigError('clientId is missing or malformed.');
  if (typeof clientToken !== 'string' || !/^[A-Za-z0-9_-]{20,128}$/.test(clientToken)) {
    throw new MachineConfigError('clientToken is missing or malformed.');
  }
  if (typeof serverPublicKey !== 'string' || !new RegExp(SERVER_PUBLIC_KEY_PATTERN).test(serverPublicKey))
    throw new MachineConfigError('serverPublicKey is missing or malformed.');
  const serverUrls = parseServerUrls(serverUrl);
  return { serverUrl: serverUrls[0]!, serverUrls, clientId, clientToken, serverPublicKey };
}

/** The machine token file's text (parseMachineToken reads it back). */
export function machineTokenText(token: MachineToken): string {
  const { serverUrls, clientId, clientToken, serverPublicKey } = token;
  return JSON.stringify({ serverUrl: serverUrls.join(';'), clientId, clientToken, serverPublicKey });
}

/** What the installer writes: the machine token and the offline key, both SYSTEM and Administrators only. */
export interface MachineEnrollment {
  token: MachineToken;
  offlineKey: OfflineKey;
}

/** Enrolls this computer once (as a `machine` Client), with the key only the elevated installer can read. */
export async function enrollMachine(config: MachineConfig, computerName: string, fetch: FetchLike): Promise<MachineEnrollment> {
  const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch });
  // With /SERVERKEY= the answer must name the pinned key (enrollment.ts), or nothing is written.
  const answer = await enrollPinned(
    anonymous,
    { enrollmentKey: config.enrollmentKey, computerName, role: 'machine' },
    config.serverPublicKey,
  );
  if (!answer.offlineKey) throw new MachineConfigError('The server answered the enrollment without an offline key.');
  return {
    token: {
      serverUrl: config.serverUrl,
      serverUrls: config.serverUrls,
      clientId: answer.clientId,
      clientToken: answer.clientToken,
      serverPublicKey: answer.serverPublicKey,
    },
    offlineKey: answer.offlineKey,
  };
}

/**
 * Writes what the installer's enrollment gave: the offline key first (SYSTEM and Administrators
 * only), then the machine token, each protected (`protect`: icacls on Windows) before the next.
 */
export function saveMachineEnrollment(
  configPath: string,
  enrolled: MachineEnrollment,
  protect: (path: string, acl: readonly string[]) => void,
): void {
  const keyFile = machineOfflineKeyPath(configPath);
  writeFileSync(keyFile, JSON.stringify(enrolled.offlineKey), { mode: 0o600 });
  protect(keyFile, MACHINE_CONFIG_ACL);
  const tokenFile = machineTokenPath(configPath);
  writeFileSync(tokenFile, machineTokenText(enrolled.token), { mode: 0o600 });
  protect(tokenFile, MACHINE_TOKEN_ACL);
}

import { dirname, join } from 'node:path';
import { createApiClient, SERVER_PUBLIC_KEY_PATTERN, type FetchLike } from '@latchkey/contracts';
import { enrollPinned } from './enrollment.js';
import { checkServerUrl, MachineConfigError, type MachineConfig } from './machine-config.js';

/**
 * The enrollment key must not be readable by every local user: whoever holds it can enroll as many
 * Clients as they like, under any computer name. So on Windows `client.json` (server and key) is
 * readable only by SYSTEM and Administrators, and the elevated installer enrolls the computer once
 * (`Latchkey.exe --enroll-machine`). What the per-user lock needs, the server address and this
 * computer's clientToken, goes into a protected copy, `machine-token.json`, that Users may read but
 * not change. That token only speaks for this computer (anyone at it can already use the lock), an
 * admin can remove it in the Management Tool, and it enrolls nothing.
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
/** machine-token.json: what the per-user lock needs, readable by Users, changed only by the installer. */
export const MACHINE_TOKEN_ACL: readonly string[] = ['/inheritance:r', '/grant:r', `${SYSTEM}:F`, `${ADMINISTRATORS}:F`, `${USERS}:R`];

export function icaclsArgs(path: string, acl: readonly string[]): string[] {
  return [path, ...acl];
}

/** Next to client.json: %ProgramData%\Latchkey\machine-token.json (or beside the configured path). */
export function machineTokenPath(configPath: string): string {
  return join(dirname(configPath), 'machine-token.json');
}

export interface MachineToken {
  serverUrl: string;
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
  return { serverUrl: checkServerUrl(serverUrl), clientId, clientToken, serverPublicKey };
}

/** Enrolls this computer once, with the key only the elevated installer can read. */
export async function enrollMachine(config: MachineConfig, computerName: string, fetch: FetchLike): Promise<MachineToken> {
  const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch });
  // With /SERVERKEY= the answer must name the pinned key (enrollment.ts), or nothing is written.
  const answer = await enrollPinned(anonymous, { enrollmentKey: config.enrollmentKey, computerName }, config.serverPublicKey);
  return {
    serverUrl: config.serverUrl,
    clientId: answer.clientId,
    clientToken: answer.clientToken,
    serverPublicKey: answer.serverPublicKey,
  };
}

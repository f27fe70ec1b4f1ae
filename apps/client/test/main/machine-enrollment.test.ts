import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, routes, type FetchLike } from '@latchkey/contracts';
import {
  enrollMachine,
  icaclsArgs,
  MACHINE_CONFIG_ACL,
  MACHINE_DIR_ACL,
  MACHINE_TOKEN_ACL,
  machineTokenPath,
  machineTokenText,
  parseMachineToken,
} from '../../src/main/machine-enrollment.js';
import { ENROLLMENT_KEY } from '@latchkey/server/test-app';
import { startServer, type LiveServer } from '../support/server.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const nodeFetch: FetchLike = (url, init) => fetch(url, init);

/** Who an icacls grant list lets read: the SIDs of every grant. */
const grantees = (acl: readonly string[]) => acl.filter((a) => a.startsWith('*S-')).map((a) => a.split(':')[0]);
const EVERYONE_LIKE = ['*S-1-5-32-545', '*S-1-1-0', '*S-1-5-11', '*S-1-5-4']; // Users, Everyone, Authenticated Users, Interactive

describe('the enrollment key is not readable by local users', () => {
  it('client.json and the machine token are SYSTEM and Administrators only (issue 24: a readable token acts for every user)', () => {
    for (const acl of [MACHINE_CONFIG_ACL, MACHINE_TOKEN_ACL]) {
      expect(acl).toEqual(['/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F']);
      expect(grantees(acl).some((sid) => EVERYONE_LIKE.includes(sid!))).toBe(false);
    }
    // Users may list the folder, but nothing they are granted there is inherited by the files in it.
    expect(MACHINE_DIR_ACL).toContain('*S-1-5-32-545:RX');
    expect(MACHINE_DIR_ACL.filter((a) => a.startsWith('*S-1-5-32-545')).some((a) => a.includes('(OI)') || a.includes('(CI)'))).toBe(false);
  });

  it('the installer applies exactly these ACLs, takes the folder over first, and enrolls elevated', () => {
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(read('build/installer.nsh'))?.[1] ?? '';
    const dir = '$R3\\Latchkey';
    const icacls = (path: string, acl: readonly string[]) => `icacls ${icaclsArgs(`"${path}"`, acl).join(' ')}`;
    const takeOver = install.indexOf(`icacls "${dir}" /setowner *S-1-5-32-544`);
    const dirAcl = install.indexOf(icacls(dir, MACHINE_DIR_ACL));
    const write = install.indexOf(`FileOpen $R4 "${dir}\\client.json" w`);
    const fileAcl = install.indexOf(icacls(`${dir}\\client.json`, MACHINE_CONFIG_ACL));
    const enroll = install.indexOf('--enroll-machine');
    const protect = install.indexOf('--install-machine');
    expect([takeOver, dirAcl, write, fileAcl, enroll, protect].every((i) => i >= 0)).toBe(true);
    expect(takeOver < dirAcl && dirAcl < write && write < fileAcl && fileAcl < enroll && enroll < protect).toBe(true);
    // No line of the installer grants Users anything on client.json any more.
    expect(install).not.toMatch(/client\.json"[^\n]*S-1-5-32-545/);
  });

  it('puts the protected copy next to client.json', () => {
    expect(machineTokenPath('C:\\ProgramData\\Latchkey\\client.json'.replaceAll('\\', '/'))).toBe(
      'C:/ProgramData/Latchkey/machine-token.json',
    );
  });
});

describe('machine enrollment against the real server', () => {
  let server: LiveServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.stop());

  it('enrolls once with the key; the copy it writes holds a token the lock can use and no key', async () => {
    const { token } = await enrollMachine(
      { serverUrl: server.baseUrl, serverUrls: [server.baseUrl], enrollmentKey: ENROLLMENT_KEY },
      'PC-MACHINE-01',
      nodeFetch,
    );
    const text = machineTokenText(token);
    expect(text).not.toContain(ENROLLMENT_KEY);
    const parsed = parseMachineToken(text);
    const lock = createApiClient({ baseUrl: parsed.serverUrl, fetch: nodeFetch, token: () => parsed.clientToken });
    expect((await lock(routes.getPolicy, {})).computerName).toBe('PC-MACHINE-01');

    // Removed in the Management Tool: the copy no longer works, and it cannot enroll anything.
    await server.api(routes.deleteClient, { params: { clientId: parsed.clientId } });
    const refused = await lock(routes.getPolicy, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(401);
  });

  it('a wrong key fails the enrollment and writes nothing', async () => {
    const failed = await enrollMachine(
      { serverUrl: server.baseUrl, serverUrls: [server.baseUrl], enrollmentKey: 'not-the-enrollment-key' },
      'PC-X',
      nodeFetch,
    ).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'invalid_enrollment_key' });
  });

  it.each([
    ['not JSON', 'nope'],
    [
      'an enrollment key smuggled in',
      JSON.stringify({ serverUrl: 'https://l.example.com', clientId: 'abcdefgh1234', clientToken: 'a'.repeat(43), enrollmentKey: 'x' }),
    ],
    [
      'plain http to another host',
      JSON.stringify({ serverUrl: 'http://l.example.com', clientId: 'abcdefgh1234', clientToken: 'a'.repeat(43) }),
    ],
    ['a malformed token', JSON.stringify({ serverUrl: 'https://l.example.com', clientId: 'abcdefgh1234', clientToken: 'short' })],
  ])('refuses a machine token file with %s', (_what, text) => {
    expect(() => parseMachineToken(text)).toThrow();
  });
});

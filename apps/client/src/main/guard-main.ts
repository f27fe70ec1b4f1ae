import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { app } from 'electron';
import { createApiClient } from '@latchkey/contracts';
import { createGuardService } from '../guard/guard-service.js';
import type { GuardHost } from '../guard/guard-host.js';
import { windowsHost, type Win32Calls } from '../guard/windows-host.js';
import { win32ViaHelper } from '../guard/win32-helper.js';
import { machineConfigPath } from './machine-config.js';
import { serverFetch } from './server-fetch.js';
import {
  machineOfflineKeyPath,
  machineTokenPath,
  parseMachineToken,
  parseOfflineKeyFile,
  type MachineToken,
} from './machine-enrollment.js';
import { nodeHmacSha256 } from './offline-store.js';
import { nodeEd25519Verify, nodeRandomBytes } from './node-ed25519.js';
import { icaclsArgs } from './machine-enrollment.js';
import { ensureLockTrust, guardStorageDir, type GuardIdentity } from './lock-trust.js';

/** The policy and pending offline reports are refreshed this often; sessions come from Windows' notifications. */
export const GUARD_TICK_MS = 60_000;

/** The helper's file name in the resources folder (electron-builder.yml, extraResources). */
export const GUARD_HELPER_EXE = 'latchkey-guard-helper.exe';

/**
 * The Win32 calls (windows-host.ts) through latchkey-guard-helper.exe, which the installer put in
 * the resources folder (Program Files: only Administrators can replace it). Missing, it throws and
 * the guard exits with code 3; gone later (it died, or broke the protocol), the guard exits with
 * code 5 rather than run blind.
 */
function loadWin32(log: (line: string) => void): Win32Calls {
  const helper = join(process.resourcesPath, GUARD_HELPER_EXE);
  if (!existsSync(helper)) throw new Error(`the Win32 helper is missing: ${helper}`);
  const child = spawn(helper, [], { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
  child.on('error', (err) => log(`guard: the Win32 helper: ${err.message}`));
  return win32ViaHelper(child, {
    onGone: (reason) => {
      log(`guard: ${reason.message}`);
      app.exit(5);
    },
  });
}

/**
 * `Latchkey.exe --guard`, run as SYSTEM: the only party on the computer that decides
 * (guard-service.ts). It acts with the machine's token and offline key, which only SYSTEM and
 * Administrators can read; users' locks get a per-user token from it over the pipe.
 */
export function runGuard(log: (line: string) => void): void {
  if (process.platform !== 'win32') {
    log('guard mode runs on Windows only');
    app.exit(2);
    return;
  }
  app.setPath('userData', join(app.getPath('userData'), 'guard'));
  if (!app.requestSingleInstanceLock()) {
    app.exit(0);
    return;
  }
  void app.whenReady().then(async () => {
    const configPath = machineConfigPath(process.platform, process.env);
    let machine: MachineToken;
    let host: GuardHost;
    let identityKey: GuardIdentity;
    const hostOf = (win32: Win32Calls) =>
      windowsHost({
        win32,
        lockPath: process.execPath,
        storageDir: guardStorageDir(configPath),
        computerName: hostname(),
        log: (line) => log(`guard: ${line}`),
      });
    try {
      machine = parseMachineToken(readFileSync(machineTokenPath(configPath), 'utf8'));
      host = hostOf(loadWin32(log));
      // The identity the locks authenticate the guard by, and the trust file they read it from
      // (lock-trust.ts); written again at every start, so it follows the machine token's servers and key.
      identityKey = ensureLockTrust(configPath, machine, host.storage, (path, acl) => {
        execFileSync('icacls.exe', icaclsArgs(path, acl), { stdio: 'ignore', timeout: 30_000, windowsHide: true });
      });
    } catch (err) {
      // Exits with an error so the task's failure shows; the locks still run from the logon task.
      log(`guard: cannot start: ${(err as Error).message}`);
      app.exit(3);
      return;
    }
    // The guard's HTTP: the machine config's servers, tried in order (server-failover.ts).
    const guardFetch = serverFetch(machine.serverUrls, log);
    const guard = createGuardService({
      host,
      identityKey,
      api: createApiClient({ baseUrl: machine.serverUrl, fetch: guardFetch, token: () => machine.clientToken }),
      identity: () => ({ clientId: machine.clientId, serverPublicKey: machine.serverPublicKey }),
      // Every server of the machine configuration, `;` between them, so the lock fails over as the guard does.
      serverUrl: machine.serverUrls.join(';'),
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      hmac: nodeHmacSha256,
      machineOfflineKey: () => {
        try {
          return parseOfflineKeyFile(readFileSync(machineOfflineKeyPath(configPath), 'utf8'));
        } catch {
          return undefined;
        }
      },
    });
    try {
      await guard.start();
    } catch (err) {
      // The pipe's name taken by someone else (FILE_FLAG_FIRST_PIPE_INSTANCE) lands here: say so, and stop.
      log(`guard: start failed: ${(err as Error).message}`);
      app.exit(4);
      return;
    }
    setInterval(() => void guard.tick().catch((err: unknown) => log(`guard: ${(err as Error).message}`)), GUARD_TICK_MS);
  });
}

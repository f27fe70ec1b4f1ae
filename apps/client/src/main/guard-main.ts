import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { app, net, safeStorage } from 'electron';
import { createApiClient, type FetchLike } from '@latchkey/contracts';
import { fetchWithTimeout } from '../lock/lock-controller.js';
import { createGuard } from '../guard/guard.js';
import { windowsCalls, type CommandRunner } from '../guard/windows-sessions.js';
import { enrollGuard } from './enrollment.js';
import { machineConfigPath, parseMachineConfig, type MachineConfig } from './machine-config.js';
import { machineOfflineKeyPath, machineUserKeyPath, parseOfflineKeyFile } from './machine-enrollment.js';
import { nodeHmacSha256 } from './offline-store.js';
import { nodeEd25519Verify, nodeRandomBytes } from './node-ed25519.js';
import { createTokenStore, type Enrollment } from './token-store.js';

export const GUARD_INTERVAL_MS = 2_000;

const run: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 15_000, windowsHide: true, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });

/**
 * `Latchkey.exe --guard`, started as SYSTEM by the Latchkey\Guard task: no window, its own
 * enrollment kept in SYSTEM's profile (out of users' reach), a pass of the guard every two seconds.
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
  void app.whenReady().then(() => {
    let config: MachineConfig | undefined;
    const configPath = machineConfigPath(process.platform, process.env);
    try {
      config = parseMachineConfig(readFileSync(configPath, 'utf8'));
    } catch (err) {
      // Without a configuration nothing can be trusted: the guard still restarts every missing lock.
      log(`guard: machine configuration: ${(err as Error).message}`);
    }
    const tokens = createTokenStore(app.getPath('userData'), safeStorage);
    let enrollment: Enrollment | undefined = tokens.load();
    if (enrollment && config?.serverPublicKey && enrollment.serverPublicKey !== config.serverPublicKey) enrollment = undefined;
    // Enrolled before Clients had roles, as a lock: enroll again as a guard (docs/deployment.md).
    if (enrollment?.role !== 'guard') enrollment = undefined;
    const netFetch = fetchWithTimeout(net.fetch as unknown as typeof fetch, 10_000);
    const fetchEnrolled: FetchLike = async (url, init) => {
      if (!config) throw new Error('not configured');
      if (!enrollment) {
        const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch: netFetch });
        const computerName = config.computerName ?? hostname();
        enrollment = await enrollGuard(anonymous, { enrollmentKey: config.enrollmentKey, computerName }, config.serverPublicKey);
        tokens.save(enrollment);
        init.headers.authorization = `Bearer ${enrollment.clientToken}`;
      }
      const response = await netFetch(url, init);
      if (response.status === 401) {
        enrollment = undefined;
        tokens.clear();
      }
      return response;
    };
    const calls = windowsCalls(run, process.env.SystemRoot ?? 'C:\\Windows');
    const readMachineKey = () => {
      try {
        return parseOfflineKeyFile(readFileSync(machineOfflineKeyPath(configPath), 'utf8'));
      } catch {
        return undefined; // not installer-enrolled (or not yet): nothing to hand over
      }
    };
    const guard = createGuard({
      host: {
        ...calls,
        log: (line) => log(`guard: ${line}`),
        // The folder inherits SYSTEM and Administrators only; the user gets read access to their own file.
        async provideOfflineKey(osUser, key) {
          const file = machineUserKeyPath(configPath, osUser);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(`${file}.tmp`, JSON.stringify(key));
          renameSync(`${file}.tmp`, file);
          execFileSync('icacls.exe', [file, '/grant:r', `${osUser}:R`], { stdio: 'ignore', timeout: 30_000, windowsHide: true });
        },
      },
      machineOfflineKey: readMachineKey,
      hmac: nodeHmacSha256,
      api: createApiClient({
        baseUrl: config?.serverUrl ?? 'https://not-configured.invalid',
        fetch: fetchEnrolled,
        token: () => enrollment?.clientToken,
      }),
      identity: () =>
        enrollment && { clientId: enrollment.clientId, serverPublicKey: config?.serverPublicKey ?? enrollment.serverPublicKey },
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: Date.now,
      lockPath: process.execPath,
    });
    let running = false;
    setInterval(() => {
      if (running) return;
      running = true;
      guard
        .tick()
        .catch((err: unknown) => log(`guard: pass failed: ${(err as Error).message}`))
        .finally(() => (running = false));
    }, GUARD_INTERVAL_MS);
  });
}

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, net, powerMonitor, protocol, safeStorage, session, type WebContents } from 'electron';
import { createApiClient, routes, type FetchLike } from '@latchkey/contracts';
import { LockController, fetchWithTimeout } from '../lock/lock-controller.js';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { xdgAutostartEntry } from './autostart.js';
import { isLockSender, registerLockIpc } from './ipc-registration.js';
import { createLockWindows } from './lock-windows.js';
import { machineConfigPath, osUserName, parseMachineConfig, type MachineConfig } from './machine-config.js';
import { LOCK_ORIGIN, LOCK_SCHEME, RENDERER_CSP, rendererFileFor } from './renderer-files.js';
import { signOutCommand } from './sign-out.js';
import { encodeTaskXml, taskXml } from './task-xml.js';
import { createRequestFileStore, createTokenStore } from './token-store.js';
import { createOfflineKeyStore, nodeHmacSha256, nodeRandomBytes, offlineSlots } from './offline-store.js';
import { OfflineUnlock } from '../lock/offline-unlock.js';

// dist/main/main/main.js → dist/
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RENDERER_ROOT = join(DIST, 'renderer');
const PRELOAD = join(DIST, 'preload', 'preload.cjs');

const log = (line: string) => process.stderr.write(`latchkey: ${line}\n`);

// ---- installer helpers: write a file and exit, before any window exists ----
function flagValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const taskXmlTarget = flagValue('--write-task-xml');
const autostartTarget = flagValue('--write-autostart');
if (taskXmlTarget || autostartTarget) {
  if (taskXmlTarget) writeFileSync(taskXmlTarget, encodeTaskXml(taskXml({ command: process.execPath })));
  if (autostartTarget) writeFileSync(autostartTarget, xdgAutostartEntry({ exec: process.execPath }));
  app.exit(0);
} else {
  main();
}

function signOutNow(): void {
  const { command, args } = signOutCommand(process.platform, process.env);
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  } catch (err) {
    log(`sign-out failed: ${(err as Error).message}`);
  }
}

function main(): void {
  let unlocked = false;
  // Fail closed: a crash of main before unlock signs the user out (Task Scheduler starts us again).
  process.on('uncaughtException', (err) => {
    log(`fatal: ${err.stack ?? err.message}`);
    if (!unlocked) signOutNow();
    app.exit(1);
  });

  if (!app.requestSingleInstanceLock()) {
    app.exit(0);
    return;
  }
  protocol.registerSchemesAsPrivileged([{ scheme: LOCK_SCHEME, privileges: { standard: true, secure: true } }]);

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => {
    // Stay running after unlock: heartbeats go on until logoff.
  });

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(LOCK_SCHEME, async (request) => {
      const file = rendererFileFor(request.url, RENDERER_ROOT);
      if (!file) return new Response('Not found', { status: 404 });
      return new Response(await readFile(file.path), {
        headers: { 'content-type': file.type, 'content-security-policy': RENDERER_CSP, 'x-content-type-options': 'nosniff' },
      });
    });

    let config: MachineConfig | undefined;
    const configPath = machineConfigPath(process.platform, process.env);
    try {
      config = parseMachineConfig(readFileSync(configPath, 'utf8'));
    } catch (err) {
      // Not set up: the lock still covers the screen and says the server cannot be reached.
      log(`machine configuration ${configPath}: ${(err as Error).message}`);
    }

    const userData = app.getPath('userData');
    const tokens = createTokenStore(userData, safeStorage);
    let token = tokens.load();
    const computerName = config?.computerName ?? hostname();
    const netFetch = fetchWithTimeout(net.fetch as unknown as typeof fetch);
    const osUser = osUserName(process.platform, process.env, userInfo().username);
    const offline = new OfflineUnlock({
      osUser,
      keys: createOfflineKeyStore(userData, safeStorage),
      slots: offlineSlots(userData, app.getPath('appData')),
      hmac: nodeHmacSha256,
      randomBytes: nodeRandomBytes,
      now: () => Date.now(),
    });

    // Enrolls on first use; a failure surfaces as "server unreachable" and is retried with backoff.
    const fetchEnrolled: FetchLike = async (url, init) => {
      if (!config) throw new Error('not configured');
      if (!token) {
        const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch: netFetch });
        try {
          const enrolled = await anonymous(routes.enroll, { body: { enrollmentKey: config.enrollmentKey, computerName } });
          token = enrolled.clientToken;
          if (!(await offline.acceptKey(enrolled.offlineKey))) log('safeStorage unavailable: the offline key is kept in memory only');
        } catch (err) {
          log(`enrollment failed: ${(err as { code?: string }).code ?? 'error'}`);
          throw err;
        }
        if (!tokens.save(token)) log('safeStorage unavailable: the client token is kept in memory only');
        init.headers.authorization = `Bearer ${token}`;
      }
      const response = await netFetch(url, init);
      // A token the server no longer knows (its data was reset): enroll again on the next call. The
      // two routes whose 401 means something else (wrong code, wrong password) are left alone.
      if (response.status === 401 && !/\/otp\/(verify|requests)$/.test(new URL(url).pathname)) {
        log('client token refused; enrolling again on the next call');
        token = undefined;
        tokens.clear();
      }
      return response;
    };

    const windows = createLockWindows({ preloadPath: PRELOAD, onGiveUp: () => void controller.signOut(), log });
    const controller = new LockController({
      baseUrl: config?.serverUrl ?? 'https://not-configured.invalid',
      fetch: fetchEnrolled,
      clientToken: () => token,
      osUser,
      computerName,
      offline,
      store: createRequestFileStore(userData),
      onUnlocked: () => {
        unlocked = true;
        const keeper = windows.release();
        // Windows reports logoff to windows only; the hidden one carries it.
        keeper?.on('session-end', () => void controller.endSession());
      },
      onSignOut: () => signOutNow(),
    });
    registerLockIpc(ipcMain, createLockHandlers(controller), (event) => isLockSender(event, windows.ids(), LOCK_ORIGIN));
    controller.subscribe((state) => windows.broadcast(state));
    powerMonitor.on('shutdown', () => void controller.endSession());
    app.on('before-quit', () => void controller.endSession());
    windows.showAll();
    await controller.start();
  });
}

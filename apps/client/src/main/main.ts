import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, net, powerMonitor, protocol, safeStorage, session, type WebContents } from 'electron';
import { createApiClient, type FetchLike } from '@latchkey/contracts';
import { LockController, fetchWithTimeout } from '../lock/lock-controller.js';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { xdgAutostartEntry } from './autostart.js';
import { isLockSender, registerLockIpc } from './ipc-registration.js';
import { createLockWindows } from './lock-windows.js';
import { machineConfigPath, osUserName, parseMachineConfig, type MachineConfig } from './machine-config.js';
import { LOCK_ORIGIN, LOCK_SCHEME, RENDERER_CSP, rendererFileFor } from './renderer-files.js';
import { signOutCommand } from './sign-out.js';
import { encodeTaskXml, taskXml } from './task-xml.js';
import { guardTaskXml } from './guard-task-xml.js';
import { runGuard } from './guard-main.js';
import { createRequestFileStore, createTokenStore, createVerdictFailureFileStore } from './token-store.js';
import { createVerdictHook } from '../lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from './node-ed25519.js';
import { enrollPinned, ServerKeyMismatchError } from './enrollment.js';

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
const guardTaskXmlTarget = flagValue('--write-guard-task-xml');
const autostartTarget = flagValue('--write-autostart');
if (taskXmlTarget || guardTaskXmlTarget || autostartTarget) {
  if (taskXmlTarget) writeFileSync(taskXmlTarget, encodeTaskXml(taskXml({ command: process.execPath })));
  if (guardTaskXmlTarget) writeFileSync(guardTaskXmlTarget, encodeTaskXml(guardTaskXml({ command: process.execPath })));
  if (autostartTarget) writeFileSync(autostartTarget, xdgAutostartEntry({ exec: process.execPath }));
  app.exit(0);
} else if (process.argv.includes('--guard')) {
  runGuard(log);
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
    let enrollment = tokens.load();
    // Learnt under another key than the one the installer pins now: enroll again.
    if (enrollment && config?.serverPublicKey && enrollment.serverPublicKey !== config.serverPublicKey) enrollment = undefined;
    const computerName = config?.computerName ?? hostname();
    const osUser = osUserName(process.platform, process.env, userInfo().username);
    const verdicts = createVerdictHook({
      identity: () =>
        enrollment && { clientId: enrollment.clientId, serverPublicKey: config?.serverPublicKey ?? enrollment.serverPublicKey },
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: Date.now,
      store: createVerdictFailureFileStore(userData),
    });
    const netFetch = fetchWithTimeout(net.fetch as unknown as typeof fetch);

    // Enrolls on first use; a failure surfaces as "server unreachable" and is retried with backoff.
    const fetchEnrolled: FetchLike = async (url, init) => {
      if (!config) throw new Error('not configured');
      if (!enrollment) {
        const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch: netFetch });
        try {
          enrollment = await enrollPinned(anonymous, { enrollmentKey: config.enrollmentKey, computerName }, config.serverPublicKey);
        } catch (err) {
          if (err instanceof ServerKeyMismatchError) {
            // Not the server the installer pinned (a proxy, or a server rebuilt without its key file).
            log(`enrollment refused: ${err.message}`);
            verdicts.record({ osUser, reason: 'key_mismatch', at: Date.now() });
          } else log(`enrollment failed: ${(err as { code?: string }).code ?? 'error'}`);
          throw err;
        }
        if (!tokens.save(enrollment)) log('safeStorage unavailable: the client token is kept in memory only');
        init.headers.authorization = `Bearer ${enrollment.clientToken}`;
      }
      const response = await netFetch(url, init);
      // A token the server no longer knows (its data was reset): enroll again on the next call. The
      // two routes whose 401 means something else (wrong code, wrong password) are left alone.
      if (response.status === 401 && !/\/otp\/(verify|requests)$/.test(new URL(url).pathname)) {
        log('client token refused; enrolling again on the next call');
        enrollment = undefined;
        tokens.clear();
      }
      return response;
    };

    const windows = createLockWindows({ preloadPath: PRELOAD, onGiveUp: () => void controller.signOut(), log });
    const controller = new LockController({
      baseUrl: config?.serverUrl ?? 'https://not-configured.invalid',
      fetch: fetchEnrolled,
      clientToken: () => enrollment?.clientToken,
      osUser,
      computerName,
      store: createRequestFileStore(userData),
      onUnlocked: () => {
        unlocked = true;
        const keeper = windows.release();
        // Windows reports logoff to windows only; the hidden one carries it.
        keeper?.on('session-end', () => void controller.endSession());
      },
      onSignOut: () => signOutNow(),
      verdicts,
    });
    registerLockIpc(ipcMain, createLockHandlers(controller), (event) => isLockSender(event, windows.ids(), LOCK_ORIGIN));
    controller.subscribe((state) => windows.broadcast(state));
    powerMonitor.on('shutdown', () => void controller.endSession());
    app.on('before-quit', () => void controller.endSession());
    windows.showAll();
    await controller.start();
  });
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, net, powerMonitor, protocol, safeStorage, session, type WebContents } from 'electron';
import { createApiClient, routes, type FetchLike } from '@latchkey/contracts';
import { LockController, fetchWithTimeout } from '../lock/lock-controller.js';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { createRelockGate, type SessionEvent } from '../lock/relock.js';
import { xdgAutostartEntry } from './autostart.js';
import { isLockSender, registerLockIpc } from './ipc-registration.js';
import { createLockWindows } from './lock-windows.js';
import { machineConfigPath, osUserName, parseMachineConfig, type MachineConfig } from './machine-config.js';
import {
  enrollMachine,
  icaclsArgs,
  machineTokenPath,
  saveMachineEnrollment,
  parseMachineToken,
  type MachineToken,
} from './machine-enrollment.js';
import { LOCK_ORIGIN, LOCK_SCHEME, RENDERER_CSP, rendererFileFor } from './renderer-files.js';
import { parseTasklistSessionId, sessionScopeName, tasklistCommand } from './session-scope.js';
import { signOutCommand } from './sign-out.js';
import { encodeTaskXml, taskXml } from './task-xml.js';
import { createOfflineKeyStore, nodeHmacSha256, offlineSlots } from './offline-store.js';
import { OfflineUnlock, type OfflineUnlocker } from '../lock/offline-unlock.js';
import { GuardLink, guardOfflineUnlock } from '../lock/guard-link.js';
import { connectGuardChannel } from '../guard/channel-socket.js';
import { GUARD_PIPE_NAME, systemFileStorage } from '../guard/windows-host.js';
import { guardTaskXml } from './guard-task-xml.js';
import { runGuard } from './guard-main.js';
import { createPolicyStore, createRequestFileStore, createTokenStore, createVerdictFailureFileStore } from './token-store.js';
import { createVerdictHook } from '../lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from './node-ed25519.js';
import { enrollPinned, ServerKeyMismatchError } from './enrollment.js';
import { ActivityRecorder } from '../lock/activity-recorder.js';
import { createActivityFileStore, logonKindNow, watchSessionActivity } from './activity-watch.js';
import { serverFetch } from './server-fetch.js';
import { installMachine, runCommand } from './installer-steps.js';
import { ensureLockTrust, guardStorageDir, lockTrustPath, readLockTrust, type LockTrust } from './lock-trust.js';

// dist/main/main/main.js → dist/
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RENDERER_ROOT = join(DIST, 'renderer');
const PRELOAD = join(DIST, 'preload', 'preload.cjs');

const log = (line: string) => process.stderr.write(`latchkey: ${line}\n`);
/** How often the lock connects to the guard's pipe when what answers there is not the guard. */
const GUARD_CONNECT_ATTEMPTS = 5;
/** The routes whose 401 means "wrong code" or "wrong password", not "this token is unknown". */
const OWN_401_ROUTES = new Set<string>([routes.verifyOtp.url, routes.createOtpRequest.url]);
// ---- installer helpers: write a file and exit, before any window exists ----
function flagValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const taskXmlTarget = flagValue('--write-task-xml');
const guardTaskXmlTarget = flagValue('--write-guard-task-xml');
const autostartTarget = flagValue('--write-autostart');
const installResultTarget = flagValue('--install-machine');
if (taskXmlTarget || guardTaskXmlTarget || autostartTarget) {
  if (taskXmlTarget) writeFileSync(taskXmlTarget, encodeTaskXml(taskXml({ command: process.execPath })));
  if (guardTaskXmlTarget) writeFileSync(guardTaskXmlTarget, encodeTaskXml(guardTaskXml({ command: process.execPath })));
  if (autostartTarget) writeFileSync(autostartTarget, xdgAutostartEntry({ exec: process.execPath }));
  app.exit(0);
} else if (installResultTarget) {
  // Elevated, from the installer: protect the secrets, register both tasks (installer-steps.ts).
  const result = installMachine({
    command: process.execPath,
    configPath: machineConfigPath(process.platform, process.env),
    workDir: dirname(installResultTarget),
    run: runCommand,
    exists: existsSync,
    writeFile: writeFileSync,
    lockTrust: (restrict) => {
      const configPath = machineConfigPath(process.platform, process.env);
      const machine = parseMachineToken(readFileSync(machineTokenPath(configPath), 'utf8'));
      ensureLockTrust(configPath, machine, systemFileStorage(guardStorageDir(configPath)), restrict);
    },
  });
  writeFileSync(installResultTarget, `${result.message}\r\n`);
  log(result.message);
  app.exit(result.ok ? 0 : 1);
} else if (process.argv.includes('--enroll-machine')) {
  void enrollThisMachine();
} else if (process.argv.includes('--guard')) {
  runGuard(log);
} else {
  main();
}

/**
 * Elevated, from the installer: enroll with the protected key, write the offline key where only
 * SYSTEM and Administrators can read it (the guard hands each user theirs), then the copy for the lock.
 */
async function enrollThisMachine(): Promise<void> {
  try {
    await app.whenReady();
    const configPath = machineConfigPath(process.platform, process.env);
    const config = parseMachineConfig(readFileSync(configPath, 'utf8'));
    const enrolled = await enrollMachine(config, config.computerName ?? hostname(), serverFetch(config.serverUrls, log));
    saveMachineEnrollment(configPath, enrolled, (path, acl) => {
      if (process.platform === 'win32') execFileSync('icacls.exe', icaclsArgs(path, acl), { stdio: 'ignore', timeout: 30_000 });
    });
    log(`enrolled this computer as Client ${enrolled.token.clientId}`);
    app.exit(0);
  } catch (err) {
    log(`machine enrollment failed: ${(err as { code?: string }).code ?? (err as Error).message}`);
    app.exit(1);
  }
}

function signOutNow(): void {
  const { command, args } = signOutCommand(process.platform, process.env);
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  } catch (err) {
    log(`sign-out failed: ${(err as Error).message}`);
  }
}

/** This process's Windows session id, read once at start; undefined off Windows or when tasklist fails. */
let knownSessionId: { id: number | undefined } | undefined;
function windowsSessionId(): number | undefined {
  knownSessionId ??= { id: readWindowsSessionId() };
  return knownSessionId.id;
}
function readWindowsSessionId(): number | undefined {
  if (process.platform !== 'win32') return undefined;
  const { command, args } = tasklistCommand(process.pid);
  try {
    return parseTasklistSessionId(execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, windowsHide: true }), process.pid);
  } catch (err) {
    log(`session id unknown: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * One lock per OS session (session-scope.ts): the per-user directory keeps the client token; the
 * single-instance lock and Chromium's profile move to a per-session directory below it. false when
 * this session has a lock already: a second start here is a Task Scheduler session trigger (unlock,
 * remote or console connect), which the running lock hears as 'second-instance'.
 */
function takeSessionLock(userDir: string): boolean {
  const scope = sessionScopeName(process.platform, process.env, windowsSessionId());
  try {
    if (!scope) throw new Error('OS session not known');
    mkdirSync(join(userDir, scope), { recursive: true });
    app.setPath('userData', join(userDir, scope));
  } catch (err) {
    log(`${(err as Error).message}: running without the one-lock-per-session guard`);
    return true;
  }
  return app.requestSingleInstanceLock();
}

/**
 * The guard's pipe, when something serves it; undefined off Windows or without one. What answers is
 * the guard only if it signs with the key of the trust file (guard-link.ts); without a trust file
 * nothing that answers can be, so the connection is only a sign that this computer has a guard.
 */
async function connectGuard(trust: LockTrust | undefined): Promise<{ link?: GuardLink } | undefined> {
  if (process.platform !== 'win32') return undefined;
  try {
    const transport = await connectGuardChannel(GUARD_PIPE_NAME);
    if (!trust) {
      transport.close();
      return {};
    }
    const sessionId = windowsSessionId();
    return {
      link: new GuardLink(transport, {
        guardPublicKey: trust.guardPublicKey,
        serverPublicKey: trust.serverPublicKey,
        verify: nodeEd25519Verify,
        randomBytes: nodeRandomBytes,
        ...(sessionId === undefined ? {} : { windowsSessionId: sessionId }),
      }),
    };
  } catch {
    return undefined;
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

  const userDir = app.getPath('userData');
  if (!takeSessionLock(userDir)) {
    app.exit(0);
    return;
  }
  const pendingEvents: SessionEvent[] = [];
  let sessionEvent = (event: SessionEvent) => void pendingEvents.push(event);
  app.on('second-instance', () => sessionEvent('reconnect'));
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
    let machineToken: MachineToken | undefined;
    /** client.json is there and this user may not read it: the elevated installer set this computer up. */
    let configProtected = false;
    const configPath = machineConfigPath(process.platform, process.env);
    // The installer's protected copy first (the user cannot read client.json there); else client.json.
    try {
      machineToken = parseMachineToken(readFileSync(machineTokenPath(configPath), 'utf8'));
    } catch {
      try {
        config = parseMachineConfig(readFileSync(configPath, 'utf8'));
      } catch (err) {
        const code = (err as { code?: string }).code;
        configProtected = code === 'EACCES' || code === 'EPERM';
        // Not set up: the lock still covers the screen and says the server cannot be reached.
        log(`machine configuration ${configPath}: ${(err as Error).message}`);
      }
    }

    // With the guard (installer-enrolled): it started this lock, hands it a token of this user, and
    // decides. The lock trusts what the trust file says (the guard's key, the server key, the
    // servers), never what answers on the pipe: any user can serve another instance of its name.
    const trustFile = process.platform === 'win32' ? readLockTrust(lockTrustPath(configPath)) : undefined;
    const trust = trustFile && 'trust' in trustFile ? trustFile.trust : undefined;
    // Another instance of the pipe's name may take a connection now and then: what answered there is
    // refused, and the lock tries the name again a few times before it stays locked for good.
    let pipe: Awaited<ReturnType<typeof connectGuard>>;
    for (let attempt = 1; ; attempt++) {
      pipe = await connectGuard(trust);
      const link = pipe?.link;
      if (!link || (await link.hello()) || link.failure !== 'unverified' || attempt >= GUARD_CONNECT_ATTEMPTS) break;
      log("what answered on the guard's pipe is not the guard; trying again");
      link.close();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const guard = pipe?.link;
    const welcome = guard?.welcome;
    const guarded = trust && welcome?.clientId ? welcome : undefined;
    // An installer-enrolled computer (a trust file, a protected client.json, a guard's pipe) without a
    // verified guard: fail closed. No token, no key, no own decision: the lock stays locked.
    const failClosed = !guarded && (trustFile !== undefined || configProtected || pipe !== undefined);
    /** The guard decides, or nothing does: never this user's own token, key or lock decision. */
    const guardDecides = !!guarded || failClosed;
    if (guarded && trust && !guarded.clientToken) {
      // The guard could not mint a token for this user (no server): offline unlock through the guard only.
      log('the guard has no token for this user yet (server unreachable?)');
      config = undefined;
      machineToken = undefined;
    } else if (guarded && trust) {
      machineToken = {
        serverUrl: trust.serverUrls[0]!,
        serverUrls: trust.serverUrls,
        clientId: guarded.clientId!,
        clientToken: guarded.clientToken!,
        serverPublicKey: trust.serverPublicKey,
      };
    } else if (failClosed) {
      const why =
        trustFile && 'problem' in trustFile
          ? `the lock trust file cannot be used (${trustFile.problem})`
          : !trust
            ? `there is no lock trust file (${lockTrustPath(configPath)}); start the guard or run the installer again`
            : guard?.failure === 'unverified'
              ? "what answered on the guard's pipe could not be verified as the guard (another instance of the pipe?)"
              : 'the guard did not answer';
      log(`the guard could not be verified: ${why}. The lock stays locked.`);
      config = undefined;
      machineToken = undefined;
    }

    const userData = app.getPath('userData');
    const tokens = createTokenStore(userDir, safeStorage);
    // The guard's per-user token, the protected copy the elevated installer wrote, or this user's own.
    let enrollment = guardDecides ? machineToken : (machineToken ?? tokens.load());
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
    const servers = machineToken?.serverUrls ?? config?.serverUrls;
    const netFetch = servers ? serverFetch(servers, log) : fetchWithTimeout(net.fetch as unknown as typeof fetch);
    // With the guard, it checks offline codes with the machine key; else this profile's own key, from the server.
    const offline: OfflineUnlocker =
      guard && guarded
        ? guardOfflineUnlock(guard, osUser, Date.now)
        : new OfflineUnlock({
            osUser,
            // An installer-enrolled lock without its guard gets no key: a user-readable key (or an old
            // handed-over one) would let whoever holds the Windows password make their own codes.
            keys:
              machineToken || guardDecides ? { load: () => undefined, save: () => false } : createOfflineKeyStore(userData, safeStorage),
            slots: offlineSlots(userData, app.getPath('appData')),
            hmac: nodeHmacSha256,
            randomBytes: nodeRandomBytes,
            now: () => Date.now(),
          });

    // Enrolls on first use; a failure surfaces as "server unreachable" and is retried with backoff.
    const fetchEnrolled: FetchLike = async (url, init) => {
      if (!enrollment) {
        if (!config) throw new Error('not configured');
        const anonymous = createApiClient({ baseUrl: config.serverUrl, fetch: netFetch });
        try {
          const { offlineKey, ...enrolled } = await enrollPinned(
            anonymous,
            { enrollmentKey: config.enrollmentKey, computerName },
            config.serverPublicKey,
          );
          enrollment = enrolled;
          if (offlineKey && !(await offline.acceptKey(offlineKey))) log('safeStorage unavailable: the offline key is kept in memory only');
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
      if (response.status === 401 && !OWN_401_ROUTES.has(new URL(url).pathname)) {
        if (machineToken) {
          // Only the elevated installer can enroll again (Latchkey.exe --enroll-machine): fail closed.
          log('machine token refused (the Client was removed?); run Latchkey.exe --enroll-machine as an administrator');
        } else {
          log('client token refused; enrolling again on the next call');
          enrollment = undefined;
          tokens.clear();
        }
      }
      return response;
    };

    // The session's activity (the seed's step 7): held on disk until the server takes it.
    const activity = new ActivityRecorder({
      baseUrl: machineToken?.serverUrl ?? config?.serverUrl ?? 'https://not-configured.invalid',
      fetch: fetchEnrolled,
      clientToken: () => enrollment?.clientToken,
      store: createActivityFileStore(userData),
      onDropped: (count, code) => log(`activity: ${count} events refused by the server (${code})`),
    });
    let stopWatching: (() => void) | undefined;
    const finish = (type: 'ended' | 'signed_out') => {
      stopWatching?.();
      stopWatching = undefined;
      activity.record(type);
      void controller.endSession();
    };

    const windows = createLockWindows({ preloadPath: PRELOAD, onGiveUp: () => void controller.signOut(), log });
    const controller = new LockController({
      baseUrl: machineToken?.serverUrl ?? config?.serverUrl ?? 'https://not-configured.invalid',
      fetch: fetchEnrolled,
      clientToken: () => enrollment?.clientToken,
      osUser,
      computerName,
      offline,
      store: createRequestFileStore(userData),
      onUnlocked: (unlockedSession) => {
        unlocked = true;
        // An offline unlock's session is recorded once the server is back (onSessionRecorded).
        if (unlockedSession.sessionId && unlockedSession.via !== 'exempt') activity.begin(unlockedSession.sessionId, unlockedSession.via);
        stopWatching?.();
        stopWatching = watchSessionActivity(powerMonitor, activity);
        const keeper = windows.release();
        // Windows reports logoff to windows only; the hidden one carries it (once: unlocks repeat after a re-lock).
        if (keeper && !keeper.listenerCount('session-end')) keeper.on('session-end', () => finish('signed_out'));
      },
      onSessionRecorded: (recorded, unlockedAt) =>
        recorded.via !== 'exempt' && activity.begin(recorded.sessionId, recorded.via, unlockedAt),
      onSignOut: () => signOutNow(),
      verdicts,
      ...(guard && guarded ? { guard } : {}),
      guardUnverified: failClosed,
      // The lock speaks Windows' display language; the mails about its requests follow it.
      locale: app.getLocale(),
      policyStore: createPolicyStore(userData, safeStorage),
      // Installer-enrolled computers have the guard decide; a profile-enrolled lock asks for itself.
      ...(machineToken || guardDecides ? {} : { lockDecision: { logonKind: logonKindNow } }),
    });
    registerLockIpc(ipcMain, createLockHandlers(controller), (event) => isLockSender(event, windows.ids(), LOCK_ORIGIN));
    controller.subscribe((state) => windows.broadcast(state));
    powerMonitor.on('shutdown', () => finish('ended'));

    // Asking again (relock.ts): cover every display first, then lock the controller again.
    const gate = createRelockGate({
      controller,
      cover: () => {
        unlocked = false;
        windows.relock();
      },
      now: () => Date.now(),
      log,
    });
    sessionEvent = (event) => void gate.onSessionEvent(event);
    guard?.onRelock((event) => sessionEvent(event));
    // Windows unlock and resume in the running instance. Locking and suspending cover the displays
    // already when the answer would be "lock again" (it cannot change to "no" as time passes), so
    // nothing of the desktop shows after the unlock. Electron has no remote/console connect event:
    // the task's SessionStateChangeTriggers start us again, which arrives as 'second-instance'.
    powerMonitor.on('lock-screen', () => sessionEvent('windows-unlock'));
    powerMonitor.on('unlock-screen', () => sessionEvent('windows-unlock'));
    powerMonitor.on('suspend', () => sessionEvent('resume'));
    powerMonitor.on('resume', () => sessionEvent('resume'));
    for (const event of pendingEvents.splice(0)) sessionEvent(event);
    app.on('before-quit', () => finish('ended'));
    windows.showAll();
    await controller.start();
  });
}

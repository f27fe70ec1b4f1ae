import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { servePeer } from './channel-socket.js';
import type { ChannelHandlers, GuardHost, HeldProcess, SessionNotification, SystemStorage, WindowsSession } from './guard-host.js';

/** The pipe's name; its server end is created by the guard (SYSTEM) before any user logs on. */
export const GUARD_PIPE_NAME = '\\\\.\\pipe\\Latchkey.Guard';

/**
 * The Win32 calls the guard stands on, one member each. Node alone cannot make them (no
 * CreateProcessAsUser, no session notifications, no pipe that names its client), so they are made
 * by `latchkey-guard-helper.exe` (apps/client/native/latchkey-guard-helper.c), a small C program the
 * guard starts and speaks to in JSON lines (win32-helper.ts); hence every call that answers is
 * async. The helper runs from the guard's scheduled task, not as a service, so notifications come
 * to a message-only window. How to check each by hand is in docs/client.md, "The guard".
 */
export interface Win32Calls {
  /**
   * WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE), keeping WTSActive and WTSDisconnected sessions
   * other than 0; per session WTSQuerySessionInformationW(WTSUserName, WTSDomainName) for the user
   * and WTSClientProtocolType (0 console → `local`, 2 RDP → `remote`).
   */
  enumerateSessions(): Promise<WindowsSession[]>;
  /**
   * A message-only window (CreateWindowExW(HWND_MESSAGE)) with WTSRegisterSessionNotification(
   * NOTIFY_FOR_ALL_SESSIONS): WM_WTSSESSION_CHANGE with WTS_SESSION_LOGON, _LOGOFF, _LOCK, _UNLOCK,
   * WTS_REMOTE_CONNECT, WTS_CONSOLE_CONNECT and the session id; RegisterSuspendResumeNotification:
   * WM_POWERBROADCAST PBT_APMRESUMEAUTOMATIC → `resume`.
   */
  onSessionChange(listener: (notification: SessionNotification) => void): void;
  /**
   * WTSQueryUserToken(sessionId) → DuplicateTokenEx(TokenPrimary) → CreateEnvironmentBlock →
   * CreateProcessAsUserW(exe, lpDesktop "winsta0\default", CREATE_UNICODE_ENVIRONMENT); the
   * process HANDLE is kept (never looked up again by name or pid) and its end is waited for with
   * RegisterWaitForSingleObject. `terminate`: TerminateProcess on that handle.
   */
  createProcessAsUser(
    sessionId: number,
    exe: string,
    args: readonly string[],
  ): Promise<{ pid: number; exited: Promise<void>; terminate(): Promise<void> }>;
  /** WTSLogoffSession(WTS_CURRENT_SERVER_HANDLE, sessionId, FALSE). */
  logoffSession(sessionId: number): Promise<void>;
  /**
   * CreateNamedPipeW(GUARD_PIPE_NAME, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE |
   * FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE | PIPE_REJECT_REMOTE_CLIENTS) with the DACL
   * `D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)` (SYSTEM and Administrators all, interactive users
   * read and write, nobody may create another instance); FIRST_PIPE_INSTANCE makes the guard fail
   * loudly if a user squatted the name first. For each client: GetNamedPipeClientProcessId and
   * GetNamedPipeClientSessionId, handed over with the connection as a Node stream.
   */
  servePipe(onClient: (stream: Duplex, caller: { pid: number; windowsSessionId: number }) => void): Promise<() => Promise<void>>;
}

/**
 * The guard's host on Windows: each member one of the calls above; the rest (what to do) is in
 * guard-service.ts. Storage: %ProgramData%\Latchkey\guard, which the installer gives to SYSTEM and
 * Administrators only.
 */
export function windowsHost(options: {
  win32: Win32Calls;
  lockPath: string;
  storageDir: string;
  computerName: string;
  log: (line: string) => void;
}): GuardHost {
  const { win32 } = options;
  return {
    async sessions() {
      return win32.enumerateSessions();
    },
    onSessionNotification: (listener) => win32.onSessionChange(listener),
    async startLockAsUser(session): Promise<HeldProcess> {
      const started = await win32.createProcessAsUser(session.windowsSessionId, options.lockPath, []);
      return {
        pid: started.pid,
        exited: started.exited,
        // An exit that raced the kill makes TerminateProcess's refusal harmless; anything else is logged.
        kill: () => void started.terminate().catch((err: unknown) => options.log(`terminate ${started.pid}: ${(err as Error).message}`)),
      };
    },
    async signOut(windowsSessionId) {
      await win32.logoffSession(windowsSessionId);
    },
    serveChannel: (handlers: ChannelHandlers) => win32.servePipe((stream, caller) => void servePeer(stream, caller, handlers)),
    storage: systemFileStorage(options.storageDir),
    computerName: options.computerName,
    now: () => Date.now(),
    log: options.log,
  };
}

/** SystemStorage as files of one folder (the guard's: SYSTEM and Administrators only, inherited). */
export function systemFileStorage(dir: string): SystemStorage {
  return {
    read(name) {
      try {
        return readFileSync(join(dir, name), 'utf8');
      } catch {
        return undefined;
      }
    },
    write(name, text) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, name);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    },
  };
}

import type { GuardMessage, GuardRequest, LogonKind } from '@latchkey/contracts';

/**
 * What the guard needs of the computer, and nothing more. Two implementations: `windows-host.ts`
 * (thin, each member one named Win32 call) and the tests' host (real child processes as locks, a
 * real unix socket as the pipe, the peer's process read from the kernel). The decisions stay in
 * guard-service.ts, which knows only this interface.
 */

/** An interactive session as Windows reports it (WTSEnumerateSessionsW + WTSQuerySessionInformationW). */
export interface WindowsSession {
  windowsSessionId: number;
  /** DOMAIN\name (a local account: COMPUTERNAME\name). */
  user: string;
  logonKind: LogonKind;
}

/** What Windows tells a service about sessions (SERVICE_CONTROL_SESSIONCHANGE, PBT_APMRESUMEAUTOMATIC). */
export const SESSION_NOTIFICATIONS = ['logon', 'logoff', 'lock', 'unlock', 'remote-connect', 'console-connect', 'resume'] as const;
export type SessionNotificationKind = (typeof SESSION_NOTIFICATIONS)[number];
export interface SessionNotification {
  kind: SessionNotificationKind;
  /** Absent for `resume`, which concerns every session. */
  windowsSessionId?: number;
}

/** A process the guard started and holds (its handle, on Windows): only this one counts as the lock. */
export interface HeldProcess {
  pid: number;
  /** Resolves when the process has ended, whatever ended it. */
  exited: Promise<void>;
  kill(): void;
}

/** Who is on the other end of the pipe, as the OS says (never as the caller says). */
export interface ChannelCaller {
  pid: number;
  windowsSessionId: number;
}

/** One connection of the channel, already split into checked messages. */
export interface ChannelPeer {
  caller: ChannelCaller;
  send(message: GuardMessage): void;
  close(): void;
}

export interface ChannelHandlers {
  onRequest(peer: ChannelPeer, request: GuardRequest): void;
  /** A line that is not a valid request: the peer is closed after this. */
  onInvalid(peer: ChannelPeer): void;
  onClose(peer: ChannelPeer): void;
}

/** Files only SYSTEM (and Administrators) can write; names are plain `[a-z0-9-]+.json`. */
export interface SystemStorage {
  read(name: string): string | undefined;
  write(name: string, text: string): void;
}

export interface GuardHost {
  sessions(): Promise<WindowsSession[]>;
  onSessionNotification(listener: (notification: SessionNotification) => void): void;
  /** Starts the lock in that session, as that session's user. Rejects when it cannot. */
  startLockAsUser(session: WindowsSession): Promise<HeldProcess>;
  signOut(windowsSessionId: number): Promise<void>;
  /** Serves the channel; resolves once it listens, with a function that stops it. */
  serveChannel(handlers: ChannelHandlers): Promise<() => Promise<void>>;
  storage: SystemStorage;
  /** The computer's name, for `.\name` in exemptAccounts. */
  computerName: string;
  now(): number;
  log(line: string): void;
}

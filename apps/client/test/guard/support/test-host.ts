import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { guardLine, parseGuardMessage, type GuardMessage, type GuardRequest } from '@latchkey/contracts';
import { servePeer } from '../../../src/guard/channel-socket.js';
import type { GuardHost, HeldProcess, SessionNotification, WindowsSession } from '../../../src/guard/guard-host.js';

const LOCK_SCRIPT = fileURLToPath(new URL('./lock-process.mjs', import.meta.url));

/**
 * The guard's host for tests: a simulated Windows whose processes are real. Locks are real child
 * processes (lock-process.mjs), the pipe is a real unix socket, and the caller of each connection
 * is read from the kernel (`ss -xpn`: the peer socket's process), as Windows' pipe gives it with
 * GetNamedPipeClientProcessId. Which "Windows session" a process is in is this host's table,
 * as the kernel's would be.
 */
export class TestHost implements GuardHost {
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-guard-'));
  readonly socketPath = join(this.dir, 'guard.sock');
  readonly computerName = 'PC-GUARD-01';
  readonly log: (line: string) => void;
  readonly lines: string[] = [];
  readonly signedOut: number[] = [];
  readonly started: { windowsSessionId: number; pid: number }[] = [];
  /** Set to make starting a lock fail (CreateProcessAsUser refused). */
  startFails = false;
  /** Set to make the test process itself the lock the guard starts (for a lock controller in the test). */
  lockIsThisProcess = false;
  private readonly windowsSessions = new Map<number, WindowsSession>();
  private readonly sessionOfPid = new Map<number, number>();
  private readonly children = new Set<ChildProcess>();
  private listener: ((n: SessionNotification) => void) | undefined;
  readonly storage;

  constructor() {
    this.log = (line) => void this.lines.push(line);
    const store = join(this.dir, 'system');
    mkdirSync(store);
    this.storage = {
      read: (name: string) => {
        try {
          return readFileSync(join(store, name), 'utf8');
        } catch {
          return undefined;
        }
      },
      write: (name: string, text: string) => writeFileSync(join(store, name), text, { mode: 0o600 }),
    };
  }

  now = () => Date.now();

  // ---- the simulated Windows, driven by the test ----

  logon(session: WindowsSession): void {
    this.windowsSessions.set(session.windowsSessionId, session);
    this.listener?.({ kind: 'logon', windowsSessionId: session.windowsSessionId });
  }

  /** Only for sessions that exist before the guard starts. */
  existing(session: WindowsSession): void {
    this.windowsSessions.set(session.windowsSessionId, session);
  }

  notify(notification: SessionNotification): void {
    this.listener?.(notification);
  }

  /** A process the user starts in their session (Task Manager, a renamed copy, `Latchkey.exe --guard`). */
  spawnAsUser(windowsSessionId: number): ProcessHandle {
    return this.spawn(windowsSessionId);
  }

  private spawn(windowsSessionId: number): ProcessHandle {
    const child = fork(LOCK_SCRIPT, [], { env: { ...process.env, LATCHKEY_GUARD_CHANNEL: this.socketPath }, stdio: 'ignore' });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    this.sessionOfPid.set(child.pid!, windowsSessionId);
    return new ProcessHandle(child);
  }

  handles = new Map<number, ProcessHandle>();

  // ---- GuardHost ----

  async sessions(): Promise<WindowsSession[]> {
    return [...this.windowsSessions.values()];
  }

  onSessionNotification(listener: (n: SessionNotification) => void): void {
    this.listener = listener;
  }

  async startLockAsUser(session: WindowsSession): Promise<HeldProcess> {
    if (this.startFails) throw new Error('CreateProcessAsUser: access denied');
    if (this.lockIsThisProcess) {
      this.sessionOfPid.set(process.pid, session.windowsSessionId);
      return { pid: process.pid, exited: new Promise(() => undefined), kill: () => undefined };
    }
    const handle = this.spawn(session.windowsSessionId);
    this.handles.set(handle.pid, handle);
    this.started.push({ windowsSessionId: session.windowsSessionId, pid: handle.pid });
    return { pid: handle.pid, exited: handle.exited, kill: () => handle.kill() };
  }

  async signOut(windowsSessionId: number): Promise<void> {
    this.signedOut.push(windowsSessionId);
  }

  async serveChannel(handlers: Parameters<GuardHost['serveChannel']>[0]) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      void peerPid(socket).then((pid) => {
        const windowsSessionId = pid === undefined ? undefined : this.sessionOfPid.get(pid);
        if (pid === undefined || windowsSessionId === undefined) return void socket.destroy();
        servePeer(socket, { pid, windowsSessionId }, handlers);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.socketPath, resolve));
    return async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    };
  }

  async dispose(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A process the test can talk through (its lines to and from the guard) and end. */
export class ProcessHandle {
  readonly pid: number;
  readonly exited: Promise<void>;
  private readonly received: GuardMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private nextId = 1000;
  readonly connected: Promise<boolean>;

  constructor(private readonly child: ChildProcess) {
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.connected = new Promise((resolve) => {
      child.on('message', (m: { line?: string; connected?: boolean; closed?: boolean }) => {
        if (m.connected) resolve(true);
        if (m.closed) resolve(false);
        if (m.line) {
          const message = parseGuardMessage(m.line);
          if (message) this.received.push(message);
          this.waiters.forEach((w) => w());
        }
      });
    });
  }

  /** Sends one request and waits for the answer with its id. */
  async ask(request: Omit<GuardRequest, 'id'> | Record<string, unknown>): Promise<GuardMessage | undefined> {
    await this.connected;
    const id = this.nextId++;
    this.child.send({ line: guardLine({ ...request, id } as GuardRequest) });
    return this.waitFor((m) => 'id' in m && m.id === id);
  }

  /** A raw line, valid or not. */
  sendRaw(line: string): void {
    this.child.send({ line });
  }

  async waitFor(match: (m: GuardMessage) => boolean, timeoutMs = 5_000): Promise<GuardMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 100);
        this.waiters.add(done);
      });
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** The process on the other end of an accepted unix socket, from the kernel's socket table. */
async function peerPid(socket: Socket): Promise<number | undefined> {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return undefined;
  const inode = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  const { stdout } = await promisify(execFile)('ss', ['-xpnH']);
  const rows = stdout.split('\n').map((line) => line.trim().split(/\s+/));
  const peer = rows.find((r) => r[5] === inode)?.[7];
  const owner = rows.find((r) => r[5] === peer);
  const pid = /pid=(\d+)/.exec(owner?.slice(8).join(' ') ?? '')?.[1];
  return pid === undefined ? undefined : Number(pid);
}

import { Duplex, type Readable, type Writable } from 'node:stream';
import { SESSION_NOTIFICATIONS, type SessionNotification, type SessionNotificationKind, type WindowsSession } from './guard-host.js';
import type { Win32Calls } from './windows-host.js';

/**
 * `Win32Calls` over latchkey-guard-helper.exe (apps/client/native/latchkey-guard-helper.c, where the
 * protocol is written out): requests `{id, op, …}` one a line on its stdin, replies `{id, ok, …}` and
 * events `{event, …}` one a line on its stdout, ASCII only both ways. Plain TypeScript over the two
 * streams, so the tests drive it with a fake helper.
 *
 * Fail closed: a line that is not the protocol, a line over the limit, a `fatal` event, a request
 * unanswered for `requestTimeoutMs` or the helper's end make the helper "gone": it is killed, every
 * waiting and later call rejects with the reason, every pipe connection is destroyed, and `onGone`
 * is told (the guard exits so that its task shows the failure).
 */

/** The helper's longest line is the sessions reply (its own bound is 1 MiB). */
export const HELPER_MAX_LINE = 1024 * 1024;
/** The helper reads request lines up to 64 KiB; pipe bytes go in pieces well below that. */
export const HELPER_MAX_REQUEST_LINE = 64 * 1024;
export const HELPER_PIPE_CHUNK = 12 * 1024;
/** The helper's pipe-data lines carry at most 12 KiB, 16 KiB of base64. */
const MAX_PIPE_DATA_BASE64 = Math.ceil(HELPER_PIPE_CHUNK / 3) * 4;
/** The helper's own bound on connections. */
export const HELPER_MAX_CONNECTIONS = 64;
/** CreateProcessAsUserW's lpCommandLine limit, NUL excluded. */
const MAX_COMMAND_LINE = 32_767;

export interface HelperProcess {
  stdin: Writable;
  stdout: Readable;
  kill?(): unknown;
}

export interface HelperOptions {
  onGone?: (reason: Error) => void;
  requestTimeoutMs?: number;
}

type Json = Record<string, unknown>;

interface Pending {
  /** Checks a successful reply while its line is read, before the next line; false: outside the protocol. */
  accept?: (reply: Json) => boolean;
  resolve(reply: Json): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Connection {
  stream: Duplex;
  /** The helper said pipe-close, or we asked for it: no more pipe-close to send. */
  closed: boolean;
}

/**
 * One argument as CommandLineToArgvW and the C runtime read it back: quoted when it holds a space,
 * a tab or a quote (or is empty); backslashes doubled where they precede a quote.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[ \t\n\v"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/** The program in quotes (a path holds no quote), then each argument quoted as above. */
export function windowsCommandLine(exe: string, args: readonly string[]): string {
  if (exe.includes('"')) throw new Error('an executable path cannot hold a quote');
  return [`"${exe}"`, ...args.map(quoteWindowsArg)].join(' ');
}

/** JSON with everything outside printable ASCII escaped, as the helper reads it. */
export function helperLine(message: Json): string {
  return `${JSON.stringify(message).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);

function parseSessions(value: unknown): WindowsSession[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const sessions: WindowsSession[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { sessionId, user, domain, protocol } = item as Json;
    if (!isUint(sessionId) || typeof user !== 'string' || typeof domain !== 'string' || !isUint(protocol)) return undefined;
    // The logon screen's session has no user yet: nothing to lock until its logon notification.
    if (user === '') continue;
    // WTSClientProtocolType: 0 is the console; 2 (RDP) and 1 (ICA) are remote.
    sessions.push({
      windowsSessionId: sessionId,
      user: domain ? `${domain}\\${user}` : user,
      logonKind: protocol === 0 ? 'local' : 'remote',
    });
  }
  return sessions;
}

export function win32ViaHelper(helper: HelperProcess, options: HelperOptions = {}): Win32Calls {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const pending = new Map<number, Pending>();
  const exits = new Map<number, () => void>();
  const connections = new Map<number, Connection>();
  const sessionListeners = new Set<(n: SessionNotification) => void>();
  let onClient: ((stream: Duplex, caller: { pid: number; windowsSessionId: number }) => void) | undefined;
  let gone: Error | undefined;
  let nextId = 1;

  function fail(reason: string): void {
    if (gone) return;
    gone = new Error(`guard helper: ${reason}`);
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(gone);
    }
    pending.clear();
    for (const c of connections.values()) {
      c.closed = true;
      c.stream.destroy();
    }
    connections.clear();
    try {
      helper.kill?.();
    } catch {
      // already gone
    }
    options.onGone?.(gone);
  }

  function call(op: string, fields: Json = {}, accept?: (reply: Json) => boolean): Promise<Json> {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    const line = helperLine({ id, op, ...fields });
    if (line.length > HELPER_MAX_REQUEST_LINE) return Promise.reject(new Error(`guard helper: ${op} request too long`));
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => fail(`no answer to ${op} in ${requestTimeoutMs} ms`), requestTimeoutMs);
      pending.set(id, { accept, resolve, reject, timer });
      helper.stdin.write(line);
    });
  }

  function onReply(message: Json): boolean {
    const { id, ok } = message;
    if (!isUint(id) || typeof ok !== 'boolean') return false;
    const waiting = pending.get(id);
    if (!waiting) return false;
    pending.delete(id);
    clearTimeout(waiting.timer);
    if (ok) {
      if (waiting.accept && !waiting.accept(message)) {
        waiting.reject(new Error('guard helper: a reply outside the protocol'));
        return false;
      }
      waiting.resolve(message);
      return true;
    }
    const { error, code } = message;
    if (typeof error !== 'string' || !isUint(code)) return false;
    waiting.reject(new Error(`${error} failed (Windows error ${code})`));
    return true;
  }

  function openConnection(conn: number, pid: number, windowsSessionId: number): void {
    const connection: Connection = {
      closed: false,
      stream: new Duplex({
        read() {
          // Data is pushed as the helper relays it; the channel's own line limit bounds it.
        },
        write(chunk: Buffer, _encoding, done) {
          const pieces: Buffer[] = [];
          for (let at = 0; at < chunk.length; at += HELPER_PIPE_CHUNK) pieces.push(chunk.subarray(at, at + HELPER_PIPE_CHUNK));
          pieces
            .reduce<Promise<unknown>>(
              (previous, piece) => previous.then(() => call('pipe-write', { conn, data: piece.toString('base64') })),
              Promise.resolve(),
            )
            .then(() => done(), done);
        },
        destroy(err, done) {
          connections.delete(conn);
          if (!connection.closed) {
            connection.closed = true;
            call('pipe-close', { conn }).catch(() => undefined);
          }
          done(err);
        },
      }),
    };
    connections.set(conn, connection);
    // A client that came in as the pipe was being stopped has no one to serve it: closed.
    if (onClient) onClient(connection.stream, { pid, windowsSessionId });
    else connection.stream.destroy();
  }

  function onEvent(message: Json): boolean {
    switch (message.event) {
      case 'ready':
        return true;
      case 'fatal':
        fail(`${typeof message.error === 'string' ? message.error : 'fatal'} (Windows error ${String(message.code)})`);
        return true;
      case 'session': {
        const { kind, sessionId } = message;
        if (!SESSION_NOTIFICATIONS.includes(kind as SessionNotificationKind)) return false;
        if (kind === 'resume' ? sessionId !== undefined : !isUint(sessionId)) return false;
        const notification: SessionNotification =
          kind === 'resume' ? { kind } : { kind: kind as SessionNotificationKind, windowsSessionId: sessionId as number };
        sessionListeners.forEach((listener) => listener(notification));
        return true;
      }
      case 'exit': {
        if (!isUint(message.pid) || !isUint(message.code)) return false;
        const resolve = exits.get(message.pid);
        exits.delete(message.pid);
        resolve?.();
        return true;
      }
      case 'pipe-open': {
        const { conn, pid, sessionId } = message;
        if (!isUint(conn) || !isUint(pid) || !isUint(sessionId) || connections.has(conn)) return false;
        if (connections.size >= HELPER_MAX_CONNECTIONS) return false;
        openConnection(conn, pid, sessionId);
        return true;
      }
      case 'pipe-data': {
        const { conn, data } = message;
        if (!isUint(conn) || !isBase64(data) || data.length > MAX_PIPE_DATA_BASE64) return false;
        // A connection we closed may still have data in flight: dropped.
        connections.get(conn)?.stream.push(Buffer.from(data, 'base64'));
        return true;
      }
      case 'pipe-close': {
        if (!isUint(message.conn)) return false;
        const connection = connections.get(message.conn);
        if (connection) {
          connection.closed = true;
          connections.delete(message.conn);
          // End both sides; the stream closes once its reader has the last bytes.
          connection.stream.push(null);
          connection.stream.end();
        }
        return true;
      }
      default:
        return false;
    }
  }

  function onLine(line: string): void {
    let message: unknown;
    try {
      if (!/^[\x20-\x7e]*$/.test(line)) throw new Error('not ASCII');
      message = JSON.parse(line);
    } catch {
      return fail('malformed line');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return fail('malformed line');
    const ok = 'event' in message ? onEvent(message as Json) : onReply(message as Json);
    if (!ok) fail('a line outside the protocol');
  }

  let buffer = '';
  helper.stdout.setEncoding('latin1');
  helper.stdout.on('data', (chunk: string) => {
    if (gone) return;
    buffer += chunk;
    let newline: number;
    while (!gone && (newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.length > HELPER_MAX_LINE) return fail('line over the limit');
      onLine(line);
    }
    if (buffer.length > HELPER_MAX_LINE) fail('line over the limit');
  });
  helper.stdout.on('error', (err) => fail(`stdout: ${err.message}`));
  helper.stdout.on('close', () => fail('it exited'));
  helper.stdout.on('end', () => fail('it exited'));
  helper.stdin.on('error', (err) => fail(`stdin: ${err.message}`));

  return {
    async enumerateSessions() {
      let sessions: WindowsSession[] | undefined;
      await call('sessions', {}, (reply) => (sessions = parseSessions(reply.sessions)) !== undefined);
      return sessions ?? [];
    },
    onSessionChange(listener) {
      sessionListeners.add(listener);
    },
    async createProcessAsUser(sessionId, exe, args) {
      const commandLine = windowsCommandLine(exe, args);
      if (commandLine.length > MAX_COMMAND_LINE) throw new Error('command line too long');
      // The exit waiter is set while the reply's line is read, before the next line: the helper
      // writes the reply under the lock its exit event takes, so a process that ends at once is seen.
      let pid = -1;
      let resolveExited!: () => void;
      const exited = new Promise<void>((resolve) => (resolveExited = resolve));
      await call('start', { sessionId, exe, commandLine }, (reply) => {
        if (!isUint(reply.pid) || exits.has(reply.pid)) return false;
        pid = reply.pid;
        exits.set(pid, resolveExited);
        return true;
      });
      return {
        pid,
        exited,
        terminate: async () => {
          await call('terminate', { pid });
        },
      };
    },
    async logoffSession(sessionId) {
      await call('logoff', { sessionId });
    },
    async servePipe(handler) {
      onClient = handler;
      await call('pipe-listen');
      return async () => {
        onClient = undefined;
        await call('pipe-stop');
        for (const c of connections.values()) c.stream.destroy();
      };
    },
  };
}

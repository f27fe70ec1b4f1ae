import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '@latchkey/test-support';
import { GUARD_CHANNEL_VERSION, guardLine, type GuardRequest } from '@latchkey/contracts';
import type { ChannelCaller, SessionNotification } from '../../src/guard/guard-host.js';
import { HELPER_MAX_LINE, helperLine, quoteWindowsArg, win32ViaHelper, windowsCommandLine } from '../../src/guard/win32-helper.js';
import { windowsHost, type Win32Calls } from '../../src/guard/windows-host.js';

const FAKE_HELPER = fileURLToPath(new URL('./support/fake-win32-helper.mjs', import.meta.url));

/** The guard's side over a real child process (the fake helper) and its real pipes. */
class FakeHelper {
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-helper-'));
  readonly socketPath = join(this.dir, 'guard.sock');
  readonly child: ChildProcess;
  readonly got: Record<string, unknown>[] = [];
  readonly acks = new Set<number>();
  private seq = 0;
  readonly goneReasons: Error[] = [];
  readonly win32: Win32Calls;
  private readonly control: Writable;

  constructor(requestTimeoutMs?: number) {
    this.child = spawn(process.execPath, [FAKE_HELPER, this.socketPath], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] });
    this.control = this.child.stdio[3] as Writable;
    createInterface({ input: this.child.stdio[3] as Readable }).on('line', (line) => {
      const told = JSON.parse(line) as { got?: Record<string, unknown>; ack?: number };
      if (told.got) this.got.push(told.got);
      if (told.ack !== undefined) this.acks.add(told.ack);
    });
    this.win32 = win32ViaHelper(this.child as ChildProcess & { stdin: Writable; stdout: Readable }, {
      onGone: (reason) => void this.goneReasons.push(reason),
      requestTimeoutMs,
    });
  }

  /** Resolves once the fake has applied the order (it acknowledges each on fd 3); lines it writes are not waited for. */
  async order(order: Record<string, unknown>): Promise<void> {
    const seq = ++this.seq;
    this.control.write(`${JSON.stringify({ ...order, seq })}\n`);
    if (!order.die && !order.emit && order.raw === undefined) await until(() => this.acks.has(seq), `the fake to take order ${seq}`);
  }

  async exited(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const helpers: FakeHelper[] = [];
const clients: Socket[] = [];
/** A client of the stand-in pipe; resets when the helper dies are expected. */
function connectClient(path: string): Socket {
  const client = connect(path);
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}
function fakeHelper(requestTimeoutMs?: number): FakeHelper {
  const helper = new FakeHelper(requestTimeoutMs);
  helpers.push(helper);
  return helper;
}
afterEach(async () => {
  clients.splice(0).forEach((c) => c.destroy());
  await Promise.all(helpers.splice(0).map((h) => h.stop()));
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('win32ViaHelper over a fake helper', () => {
  it('lists the sessions as DOMAIN\\user with local or remote, leaving out a session without a user', async () => {
    const h = fakeHelper();
    await h.order({
      sessions: [
        { sessionId: 1, user: 'alice', domain: 'CORP', protocol: 0 },
        { sessionId: 2, user: 'bob', domain: 'PC-01', protocol: 2 },
        { sessionId: 3, user: '', domain: '', protocol: 0 },
      ],
    });
    expect(await h.win32.enumerateSessions()).toEqual([
      { windowsSessionId: 1, user: 'CORP\\alice', logonKind: 'local' },
      { windowsSessionId: 2, user: 'PC-01\\bob', logonKind: 'remote' },
    ]);
  });

  it('hands Windows session notifications to the listener, resume without a session', async () => {
    const h = fakeHelper();
    const seen: SessionNotification[] = [];
    h.win32.onSessionChange((n) => seen.push(n));
    await h.order({ emit: { event: 'session', kind: 'lock', sessionId: 3 } });
    await h.order({ emit: { event: 'session', kind: 'resume' } });
    await until(() => seen.length === 2, 'two notifications');
    expect(seen).toEqual([{ kind: 'lock', windowsSessionId: 3 }, { kind: 'resume' }]);
  });

  it('starts a process as the user, reports its pid, terminates it by its handle and sees it exit', async () => {
    const h = fakeHelper();
    const started = await h.win32.createProcessAsUser(4, 'C:\\Program Files\\Latchkey\\Latchkey.exe', ['--lock', 'a "b"']);
    expect(isAlive(started.pid)).toBe(true);
    await until(() => h.got.some((r) => r.op === 'start'), 'the start request');
    expect(h.got.find((r) => r.op === 'start')).toMatchObject({
      sessionId: 4,
      exe: 'C:\\Program Files\\Latchkey\\Latchkey.exe',
      commandLine: '"C:\\Program Files\\Latchkey\\Latchkey.exe" --lock "a \\"b\\""',
    });
    await started.terminate();
    await started.exited;
    expect(isAlive(started.pid)).toBe(false);
    // Terminating what has ended is refused by the helper, and says so.
    await expect(started.terminate()).rejects.toThrow(/not a process this helper started/);
  });

  it('sees the end of a process that exits at once, its exit written right after its pid', async () => {
    const h = fakeHelper();
    const started = await h.win32.createProcessAsUser(4, 'C:\\exit-now', []);
    await started.exited;
    expect(h.goneReasons).toEqual([]);
  });

  it('logs a session off', async () => {
    const h = fakeHelper();
    await h.win32.logoffSession(7);
    await until(() => h.got.some((r) => r.op === 'logoff'), 'the logoff request');
    expect(h.got.find((r) => r.op === 'logoff')).toMatchObject({ sessionId: 7 });
  });

  it('relays a pipe connection both ways with the caller Windows names, and its close either way', async () => {
    const h = fakeHelper();
    const streams: { stream: Duplex; caller: { pid: number; windowsSessionId: number } }[] = [];
    const stop = await h.win32.servePipe((stream, caller) => streams.push({ stream, caller }));
    await h.order({ caller: { pid: 5150, sessionId: 2 } });

    const client = connectClient(h.socketPath);
    await until(() => streams.length === 1, 'the connection');
    const { stream, caller } = streams[0]!;
    expect(caller).toEqual({ pid: 5150, windowsSessionId: 2 });

    // Client → guard, more than one helper line's worth.
    const big = Buffer.alloc(40 * 1024, 'x');
    const received: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => received.push(chunk));
    client.write(big);
    await until(() => Buffer.concat(received).length === big.length, 'the client bytes');
    expect(Buffer.concat(received).equals(big)).toBe(true);

    // Guard → client, split into pipe-write requests of bounded size.
    const back: Buffer[] = [];
    client.on('data', (chunk: Buffer) => back.push(chunk));
    const reply = Buffer.from(`${'é'.repeat(15_000)}\n`);
    stream.write(reply);
    await until(() => Buffer.concat(back).length === reply.length, 'the guard bytes');
    expect(Buffer.concat(back).equals(reply)).toBe(true);
    await until(() => h.got.filter((r) => r.op === 'pipe-write').length >= 2, 'the pipe-write requests');
    const writes = h.got.filter((r) => r.op === 'pipe-write');
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.every((w) => (w.data as string).length <= 16 * 1024)).toBe(true);

    // The client hangs up: the guard's stream closes.
    const closed = once(stream, 'close');
    client.end();
    await closed;

    // The guard hangs up: the client's connection ends.
    const second = connectClient(h.socketPath);
    await until(() => streams.length === 2, 'a second connection');
    const clientClosed = once(second, 'close');
    streams[1]!.stream.destroy();
    await clientClosed;
    await until(() => h.got.some((r) => r.op === 'pipe-close'), 'the pipe-close request');
    await stop();
  });

  it('gives windowsHost its sessions, a held lock it can end and see end, and sign-out, all through the helper', async () => {
    const h = fakeHelper();
    const lines: string[] = [];
    const host = windowsHost({
      win32: h.win32,
      lockPath: 'C:\\Latchkey\\Latchkey.exe',
      storageDir: h.dir,
      computerName: 'PC',
      log: (l) => void lines.push(l),
    });
    await h.order({ sessions: [{ sessionId: 2, user: 'carol', domain: 'CORP', protocol: 2 }] });
    const [session] = await host.sessions();
    expect(session).toEqual({ windowsSessionId: 2, user: 'CORP\\carol', logonKind: 'remote' });
    const lock = await host.startLockAsUser(session!);
    expect(isAlive(lock.pid)).toBe(true);
    lock.kill();
    await lock.exited;
    // A second kill after the end is refused by the helper, logged, and harmless.
    lock.kill();
    await until(() => lines.length === 1, 'the log line');
    expect(lines[0]).toMatch(/^terminate \d+: not a process this helper started failed/);
    await host.signOut(2);
    await until(() => h.got.some((r) => r.op === 'logoff' && r.sessionId === 2), 'the logoff request');
    expect(h.goneReasons).toEqual([]);
  });

  /** The transport only: what is signed, and by whom, is guard-service's and guard-link's (guard-link.test.ts). */
  const CHALLENGE = 'c'.repeat(43);
  const SIGNATURE = 'A'.repeat(86);
  it('serves the guard channel through the helper: requests with the caller Windows named, a bad line ends the connection', async () => {
    const h = fakeHelper();
    const host = windowsHost({ win32: h.win32, lockPath: 'C:\\L.exe', storageDir: h.dir, computerName: 'PC', log: () => undefined });
    const requests: { caller: ChannelCaller; request: GuardRequest }[] = [];
    const events: string[] = [];
    const stop = await host.serveChannel({
      onRequest: (peer, request) => {
        requests.push({ caller: peer.caller, request });
        peer.send({ id: request.id, type: 'refused', reason: 'not_the_lock', signature: SIGNATURE });
      },
      onInvalid: () => void events.push('invalid'),
      onClose: () => void events.push('close'),
    });
    await h.order({ caller: { pid: 6001, sessionId: 3 } });
    const client = connectClient(h.socketPath);
    const answers: string[] = [];
    createInterface({ input: client }).on('line', (line) => answers.push(line));
    client.write(guardLine({ id: 1, type: 'hello', version: GUARD_CHANNEL_VERSION, challenge: CHALLENGE }));
    await until(() => answers.length === 1, 'the answer');
    expect(requests).toEqual([
      {
        caller: { pid: 6001, windowsSessionId: 3 },
        request: { id: 1, type: 'hello', version: GUARD_CHANNEL_VERSION, challenge: CHALLENGE },
      },
    ]);
    expect(JSON.parse(answers[0]!)).toEqual({ id: 1, type: 'refused', reason: 'not_the_lock', signature: SIGNATURE });

    const closed = once(client, 'close');
    client.write('{"id":2,"type":"unlock-everything"}\n');
    await closed;
    await until(() => events.length === 2, 'invalid and close');
    expect(events).toEqual(['invalid', 'close']);
    await stop();
  });

  it('refuses a malformed line: the helper is killed and every call fails, now and later', async () => {
    const h = fakeHelper();
    await h.order({ silent: 'sessions' });
    const waiting = h.win32.logoffSession(1).then(() => h.win32.enumerateSessions());
    await until(() => h.got.some((r) => r.op === 'sessions'), 'the sessions request');
    await h.order({ raw: '{"id": 2, "ok": tru\n' });
    await expect(waiting).rejects.toThrow(/guard helper: malformed line/);
    await h.exited();
    await expect(h.win32.logoffSession(1)).rejects.toThrow(/malformed line/);
    expect(h.goneReasons.map((r) => r.message)).toEqual(['guard helper: malformed line']);
  });

  it('refuses a line over the limit before it ends', async () => {
    const h = fakeHelper();
    await h.order({ silent: 'sessions' });
    await h.win32.logoffSession(1);
    const waiting = h.win32.enumerateSessions();
    await h.order({ raw: 'x'.repeat(HELPER_MAX_LINE + 10) });
    await expect(waiting).rejects.toThrow(/line over the limit/);
    await h.exited();
  });

  it('refuses a line outside the protocol, such as an answer to nothing asked or an unknown event', async () => {
    const h = fakeHelper();
    await h.order({ emit: { id: 999, ok: true } });
    await until(() => h.goneReasons.length === 1, 'the helper gone');
    expect(h.goneReasons[0]!.message).toBe('guard helper: a line outside the protocol');

    const other = fakeHelper();
    await other.order({ emit: { event: 'session', kind: 'hijack', sessionId: 1 } });
    await until(() => other.goneReasons.length === 1, 'the helper gone');
    await expect(other.win32.enumerateSessions()).rejects.toThrow(/outside the protocol/);
  });

  it('fails closed when the helper dies: waiting and later calls reject, pipe connections close', async () => {
    const h = fakeHelper();
    const streams: Duplex[] = [];
    await h.win32.servePipe((stream) => streams.push(stream));
    connectClient(h.socketPath);
    await until(() => streams.length === 1, 'the connection');
    const streamClosed = once(streams[0]!, 'close');
    await h.order({ silent: 'logoff' });
    const waiting = h.win32.logoffSession(3);
    await h.order({ die: true });
    await expect(waiting).rejects.toThrow(/guard helper: it exited/);
    await streamClosed;
    await expect(h.win32.createProcessAsUser(1, 'C:\\x.exe', [])).rejects.toThrow(/it exited/);
    expect(h.goneReasons).toHaveLength(1);
  });

  it("fails closed on the helper's fatal event, with its reason", async () => {
    const h = fakeHelper();
    await h.order({ emit: { event: 'fatal', error: 'WTSRegisterSessionNotification', code: 1722 } });
    await until(() => h.goneReasons.length === 1, 'the helper gone');
    await expect(h.win32.enumerateSessions()).rejects.toThrow('guard helper: WTSRegisterSessionNotification (Windows error 1722)');
  });

  it('fails closed when the helper does not answer in time', async () => {
    const h = fakeHelper(300);
    await h.order({ silent: 'sessions' });
    await h.win32.logoffSession(1);
    await expect(h.win32.enumerateSessions()).rejects.toThrow(/no answer to sessions in 300 ms/);
    await h.exited();
  });

  it('turns a refusal into an error naming the Win32 call and its error, the helper still serving', async () => {
    const h = fakeHelper();
    await h.order({ refuse: { op: 'logoff', error: 'WTSLogoffSession', code: 5 } });
    await expect(h.win32.logoffSession(2)).rejects.toThrow('WTSLogoffSession failed (Windows error 5)');
    expect(await h.win32.enumerateSessions()).toEqual([]);
    expect(h.goneReasons).toEqual([]);
  });
});

describe('the lines and command lines the helper reads', () => {
  it('writes requests in printable ASCII only', () => {
    const line = helperLine({ id: 1, op: 'start', exe: 'C:\\Benutzer\\Jürgen\\ü.exe', commandLine: 'a\tb 😀' });
    expect(line).toMatch(/^[\x20-\x7e]*\n$/);
    expect(JSON.parse(line)).toEqual({ id: 1, op: 'start', exe: 'C:\\Benutzer\\Jürgen\\ü.exe', commandLine: 'a\tb 😀' });
  });

  it('quotes arguments as CommandLineToArgvW reads them back', () => {
    expect(quoteWindowsArg('--lock')).toBe('--lock');
    expect(quoteWindowsArg('')).toBe('""');
    expect(quoteWindowsArg('a b')).toBe('"a b"');
    expect(quoteWindowsArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteWindowsArg('C:\\dir with space\\')).toBe('"C:\\dir with space\\\\"');
    expect(quoteWindowsArg('a\\"b c')).toBe('"a\\\\\\"b c"');
    expect(windowsCommandLine('C:\\P F\\L.exe', ['x'])).toBe('"C:\\P F\\L.exe" x');
    expect(() => windowsCommandLine('C:\\"evil', [])).toThrow();
  });
});

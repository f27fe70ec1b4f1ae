// A FAKE of latchkey-guard-helper.exe for win32-helper.test.ts: the same JSON lines on stdin and
// stdout, over real pipes, with a unix socket standing in for \\.\pipe\Latchkey.Guard and real child
// processes standing in for the locks. The test steers it over fd 3 (one JSON object a line):
//   {"sessions":[...]}            the next sessions replies
//   {"caller":{"pid":..,"sessionId":..}}  who the next pipe client is (Windows would say)
//   {"emit":{...}} / {"raw":"..."}  write that line (or raw text) to stdout
//   {"silent":"op"}               never answer that op
//   {"refuse":{"op":..,"error":..,"code":..}}  answer that op with a failure
//   {"die":true}                  exit at once
// and reads back on fd 3 each request it received, {"got":{...}}, and {"ack":seq} once an order
// carrying a seq has taken effect.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const socketPath = process.argv[2];
const control = createWriteStream(null, { fd: 3 });
const out = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let sessions = [];
let caller = { pid: 4242, sessionId: 1 };
const silent = new Set();
const refused = new Map();
const children = new Map();
const sockets = new Map();
let server;
let nextConn = 1;

createInterface({ input: createReadStream(null, { fd: 3 }) }).on('line', (line) => {
  const order = JSON.parse(line);
  if (order.sessions) sessions = order.sessions;
  if (order.caller) caller = order.caller;
  if (order.emit) out(order.emit);
  if (order.raw !== undefined) process.stdout.write(order.raw);
  if (order.silent) silent.add(order.silent);
  if (order.refuse) refused.set(order.refuse.op, order.refuse);
  if (order.die) process.exit(9);
  if (order.seq !== undefined) control.write(`${JSON.stringify({ ack: order.seq })}\n`);
});

const ops = {
  sessions: () => ({ sessions }),
  start: (r) => {
    // The "exe" picks the stand-in: `exit-now` ends at once, anything else waits to be ended.
    const code = r.exe.endsWith('exit-now') ? 'process.exit(0)' : 'setInterval(() => {}, 1000)';
    const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    children.set(child.pid, child);
    child.on('exit', (exitCode) => {
      children.delete(child.pid);
      out({ event: 'exit', pid: child.pid, code: exitCode ?? 1 });
    });
    return { pid: child.pid };
  },
  terminate: (r) => {
    const child = children.get(r.pid);
    if (!child) return { error: 'not a process this helper started', code: 1168 };
    child.kill('SIGKILL');
    return {};
  },
  logoff: () => ({}),
  'pipe-listen': () =>
    new Promise((resolve) => {
      server = createServer((socket) => {
        const conn = nextConn++;
        sockets.set(conn, socket);
        out({ event: 'pipe-open', conn, pid: caller.pid, sessionId: caller.sessionId });
        socket.on('data', (chunk) => {
          for (let at = 0; at < chunk.length; at += 12 * 1024)
            out({ event: 'pipe-data', conn, data: chunk.subarray(at, at + 12 * 1024).toString('base64') });
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          sockets.delete(conn);
          out({ event: 'pipe-close', conn });
        });
      });
      server.listen(socketPath, () => resolve({}));
    }),
  'pipe-write': (r) => {
    const socket = sockets.get(r.conn);
    if (!socket) return { error: 'connection closed', code: 233 };
    socket.write(Buffer.from(r.data, 'base64'));
    return {};
  },
  'pipe-close': (r) => {
    sockets.get(r.conn)?.destroy();
    return {};
  },
  'pipe-stop': () => {
    server?.close();
    for (const socket of sockets.values()) socket.destroy();
    return {};
  },
};

createInterface({ input: process.stdin }).on('line', async (line) => {
  const request = JSON.parse(line);
  control.write(`${JSON.stringify({ got: request })}\n`);
  if (silent.has(request.op)) return;
  const answer = refused.get(request.op) ?? (await ops[request.op](request));
  if (answer.error) out({ id: request.id, ok: false, error: answer.error, code: answer.code });
  else out({ id: request.id, ok: true, ...answer });
});
process.stdin.on('end', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(0);
});
out({ event: 'ready' });

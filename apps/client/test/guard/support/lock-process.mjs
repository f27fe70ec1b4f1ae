// A lock as the tests' host starts it: a real process that connects to the guard's socket and
// passes lines both ways between it and the test (over the fork IPC channel). It decides nothing.
import { connect } from 'node:net';

const socket = connect(process.env.LATCHKEY_GUARD_CHANNEL);
let buffer = '';
socket.setEncoding('utf8');
socket.on('connect', () => process.send({ connected: true }));
socket.on('data', (chunk) => {
  buffer += chunk;
  let i;
  while ((i = buffer.indexOf('\n')) >= 0) {
    process.send({ line: buffer.slice(0, i) });
    buffer = buffer.slice(i + 1);
  }
});
socket.on('close', () => process.send({ closed: true }));
socket.on('error', () => undefined);
process.on('message', (m) => socket.write(m.line));
// Stays until killed, like the lock.
setInterval(() => undefined, 60_000);

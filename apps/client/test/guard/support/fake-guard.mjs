// The attack on the guard's channel (docs/security.md, "The guard"): a user's process serving
// another instance of the pipe's name. Windows lets any interactive user create one while the
// guard runs (GRGW includes FILE_CREATE_PIPE_INSTANCE), and a lock may connect to it instead of
// the guard. This one answers as the guard would: a welcome (signed with its own key, or a captured
// real one replayed: FAKE_GUARD_REPLAY), a nonce, an offline offer, "ok" to any offline code and
// "unlocked" to any verdict. It tells the test (fork IPC) each request it got.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:net';
import { guardLine, guardSignedBytes } from '@latchkey/contracts';

const { privateKey } = generateKeyPairSync('ed25519');
const welcome = JSON.parse(process.env.FAKE_GUARD_WELCOME ?? '{}');
const replay = process.env.FAKE_GUARD_REPLAY;

function answerTo(request) {
  const { id } = request;
  switch (request.type) {
    case 'hello':
      return { id, type: 'welcome', ...welcome };
    case 'nonce':
      return { id, type: 'nonce', nonce: randomBytes(16).toString('base64url') };
    case 'offline-offer':
      return { id, type: 'offline-offer', offer: { challenge: 'ABCD2345', attemptsLeft: 5 } };
    case 'offline-check':
      return { id, type: 'offline-result', result: { ok: true } };
    default:
      return { id, type: 'unlocked' };
  }
}

const server = createServer((socket) => {
  let challenge = '';
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const request = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      process.send({ request: request.type });
      if (request.type === 'hello') challenge = request.challenge;
      if (request.type === 'hello' && replay) {
        socket.write(`${replay}\n`);
        continue;
      }
      const message = answerTo(request);
      const signature = sign(null, guardSignedBytes(challenge, message), privateKey).toString('base64url');
      socket.write(guardLine({ ...message, signature }));
    }
  });
});
server.listen(process.env.FAKE_GUARD_SOCKET, () => process.send({ listening: true }));

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { routes, verdictMessage } from '@latchkey/contracts';
import { matchRoute } from '@latchkey/test-support';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A recording front of the REAL server, as a network tap would be: every call goes through to the
 * server unchanged, and the front notes what the guard asked for (the per-user tokens the server
 * minted, the sessions it re-locked). One forgery on purpose, for the attack tests: for an osUser in
 * `forged`, a "no lock" lock decision signed with another key than the server's (what a forging
 * proxy on the network would send).
 */
export interface ServerFront {
  url: string;
  /** A key the server does not sign with (base64url, the JWK `x`). */
  otherKey: string;
  /** Per-user tokens the server answered to POST /client/user-tokens, in order. */
  minted: { osUser: string; token: string }[];
  /** Sessions POST /sessions/:id/relock re-locked (answered 204), in order. */
  relocked: string[];
  stop(): Promise<void>;
}

export async function startServerFront(
  target: string,
  forged: { clientId: string; now: () => number; osUsers: string[] },
): Promise<ServerFront> {
  const other = generateKeyPairSync('ed25519');
  const minted: ServerFront['minted'] = [];
  const relocked: string[] = [];
  const bodyOf = (stream: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      if (matchRoute(routes.lockDecision, req.method, req.url)) {
        const { osUser, nonce } = JSON.parse(body.toString()) as { osUser: string; nonce: string };
        if (forged.osUsers.includes(osUser)) {
          const sessionId = randomBytes(12).toString('base64url');
          const time = forged.now();
          const message = verdictMessage({ clientId: forged.clientId, osUser, nonce, sessionId, time });
          const signature = sign(null, message, other.privateKey).toString('base64url');
          return json(res, 200, { lock: false, reason: 'exempt_account', sessionId, verdict: { time, signature } });
        }
      }
      const { hostname, port } = new URL(target);
      const upstream = request({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        void (async () => {
          const answered = await bodyOf(answer);
          if (matchRoute(routes.createUserToken, req.method, req.url) && answer.statusCode === 201) {
            const { osUser, clientToken } = JSON.parse(answered.toString()) as { osUser: string; clientToken: string };
            minted.push({ osUser, token: clientToken });
          }
          const relock = matchRoute(routes.relockSession, req.method, req.url);
          if (relock && answer.statusCode === 204) relocked.push(relock.sessionId!);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(answered);
        })();
      });
      upstream.on('error', () => json(res, 502, { error: { code: 'bad_gateway', message: 'upstream' } }));
      upstream.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    otherKey: other.publicKey.export({ format: 'jwk' }).x!,
    minted,
    relocked,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { verdictMessage } from '@latchkey/contracts';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STUB of the two v1.2 routes the real server does not register yet on this branch
 * (POST /api/v1/client/user-tokens, POST /api/v1/sessions/:sessionId/relock; helper srvguard builds
 * them), speaking their contract, in front of the real server: every other call goes through to it.
 * A minted user token stands for the machine token it was minted with (the same Client), so the
 * lock's verify and the guard's checks run against the real server. Switch to the real server once
 * srvguard's routes are merged.
 */
export interface SrvguardStub {
  url: string;
  /** The key the stub signs lock decisions with (base64url, the JWK `x`): a guard pinned to it trusts them. */
  lockDecisionKey: string;
  minted: { osUser: string; token: string }[];
  relocked: string[];
  stop(): Promise<void>;
}

/**
 * `lockDecision`: also stubs POST /api/v1/client/lock-decision (helper scope builds it): `exempt`
 * users get `lock: false` signed with the stub's own key, `forged` users get it signed with another.
 */
export async function startSrvguardStub(
  target: string,
  machineToken: string,
  lockDecision?: { clientId: string; now: () => number; exempt: string[]; forged: string[] },
): Promise<SrvguardStub> {
  const keys = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const lockDecisionKey = keys.publicKey.export({ format: 'jwk' }).x!;
  const minted: SrvguardStub['minted'] = [];
  const relocked: string[] = [];
  const userTokens = new Map<string, string>();
  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const bodyOf = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts)));
    });
  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.method === 'POST' && req.url === '/api/v1/client/user-tokens') {
        if (bearer !== machineToken) return json(res, 403, { error: { code: 'forbidden', message: 'A lock token cannot mint.' } });
        const { osUser } = JSON.parse(body.toString()) as { osUser: string };
        const token = `stub-user-${randomBytes(24).toString('base64url')}`;
        userTokens.set(token, osUser);
        minted.push({ osUser, token });
        return json(res, 201, { clientToken: token, osUser });
      }
      if (lockDecision && req.method === 'POST' && req.url === '/api/v1/client/lock-decision') {
        const { osUser, nonce } = JSON.parse(body.toString()) as { osUser: string; nonce: string };
        const key = lockDecision.exempt.includes(osUser) ? keys : lockDecision.forged.includes(osUser) ? other : undefined;
        if (!key) return json(res, 200, { lock: true, reason: 'required' });
        const sessionId = randomBytes(12).toString('base64url');
        const time = lockDecision.now();
        const message = verdictMessage({ clientId: lockDecision.clientId, osUser, nonce, sessionId, time });
        const signature = sign(null, message, key.privateKey).toString('base64url');
        return json(res, 200, { lock: false, reason: 'exempt_account', sessionId, verdict: { time, signature } });
      }
      const relock = /^\/api\/v1\/sessions\/([^/]+)\/relock$/.exec(req.url ?? '');
      if (req.method === 'POST' && relock) {
        if (bearer !== machineToken) return json(res, 403, { error: { code: 'forbidden', message: 'Not the guard.' } });
        relocked.push(relock[1]!);
        return json(res, 204);
      }
      const headers = { ...req.headers };
      if (bearer && userTokens.has(bearer)) headers.authorization = `Bearer ${machineToken}`;
      const { hostname, port } = new URL(target);
      const upstream = request({ hostname, port, path: req.url, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => json(res, 502, { error: { code: 'bad_gateway', message: 'upstream' } }));
      upstream.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lockDecisionKey,
    minted,
    relocked,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

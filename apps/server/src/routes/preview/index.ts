import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  PreviewQuerySchema,
  base64UrlToBytes,
  deriveOfflineUserKey,
  demoRoutes,
  type ErrorBody,
  type OfflineKey,
} from '@latchkey/contracts';
import { nodeHmacSha256 } from '../../offline/offline-hmac.js';
import { AppError } from '../../app-error.js';
import { routeOptions } from '../route-options.js';

const NOT_BUILT: ErrorBody = {
  error: {
    code: 'service_unavailable',
    message: 'The lock window is not built. Run "npx turbo run build --filter=@latchkey/client" and reload.',
  },
};

/** More demo Clients than a person trying the product needs; a cap so the open page cannot fill the database. */
const MAX_DEMO_CLIENTS = 200;

interface DemoClient {
  clientToken: string;
  clientId: string;
  serverPublicKey: string;
  offlineKey: OfflineKey;
}

/**
 * The lock-window preview, registered only when LATCHKEY_DEMO=1: GET /preview/lock?computer=&user=
 * serves the built renderer's preview page, which runs the real lock controller in the browser as a
 * demo Client enrolled under that computer name. The page fetches its clientToken from
 * /preview/lock/session (the CSP forbids handing it over in an inline script). Anyone who can open
 * the page gets a demo Client's token: that is what the demo is, and why it is off by default.
 */
export default async function previewRoutes(app: FastifyInstance): Promise<void> {
  const root = app.config.previewDir;
  await app.register(fastifyStatic, { serve: false, decorateReply: true });

  let built = false;
  const isBuilt = () => (built ||= existsSync(resolve(root, 'preview.html')));
  const notBuilt = (reply: FastifyReply) => reply.code(503).header('retry-after', '30').send(NOT_BUILT);

  /** computerName → the enroll answer of the demo Clients enrolled since start. */
  const demoClients = new Map<string, DemoClient>();

  async function demoClient(computerName: string): Promise<DemoClient> {
    const known = demoClients.get(computerName);
    if (known) return known;
    if (demoClients.size >= MAX_DEMO_CLIENTS)
      throw new AppError(429, 'rate_limited', 'Too many demo computers. Restart the server to start over.');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/clients/enroll',
      // As the installer enrolls a computer (v1.2: only a machine Client has an offline key).
      payload: { enrollmentKey: app.enrollmentKey, computerName, role: 'machine' },
    });
    if (res.statusCode !== 201) {
      app.log.warn({ status: res.statusCode }, 'preview: demo enrollment failed');
      throw new AppError(503, 'service_unavailable', 'The demo computer could not be enrolled. Try again in a moment.');
    }
    const { clientToken, clientId, serverPublicKey, offlineKey } = res.json<DemoClient>();
    demoClients.set(computerName, { clientToken, clientId, serverPublicKey, offlineKey });
    return { clientToken, clientId, serverPublicKey, offlineKey };
  }

  app.get('/preview/lock', { schema: { querystring: PreviewQuerySchema } }, async (_request, reply) => {
    if (!isBuilt()) return notBuilt(reply);
    return reply.header('cache-control', 'no-cache').sendFile('preview.html', root, { cacheControl: false });
  });

  app.withTypeProvider<TypeBoxTypeProvider>().route({
    ...routeOptions(demoRoutes.previewSession),
    handler: async (request, reply) => {
      const computerName = request.query.computer ?? 'DEMO-PC';
      const osUser = request.query.user ?? 'demo';
      // serverPublicKey plays the installer's pinned key: the page checks verdicts against it;
      // offlineKey plays the key the guard hands this user's lock: the user's own, derived from the machine's.
      const client = await demoClient(computerName);
      const machineKey = base64UrlToBytes(client.offlineKey.key);
      const userKey = await deriveOfflineUserKey(nodeHmacSha256, machineKey, client.clientId, osUser);
      const offlineKey = { ...client.offlineKey, key: Buffer.from(userKey).toString('base64url') };
      return reply.header('cache-control', 'no-store').send({ ...client, offlineKey, osUser, computerName });
    },
  });

  app.get<{ Params: { '*': string } }>('/preview/assets/*', async (request, reply) => {
    if (!isBuilt()) return notBuilt(reply);
    // `send` confines the path to the assets folder (no `..`, no dotfiles); a missing file is a 404.
    return reply.sendFile(request.params['*'], resolve(root, 'assets'), {
      maxAge: '365d',
      immutable: true,
      dotfiles: 'deny',
      index: false,
    });
  });
}

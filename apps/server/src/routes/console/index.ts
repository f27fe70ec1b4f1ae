import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ErrorBody } from '@latchkey/contracts';

const NOT_BUILT: ErrorBody = {
  error: {
    code: 'service_unavailable',
    message: 'The Management Tool is not built. Run "npx turbo run build --filter=@latchkey/console" and reload.',
  },
};

/**
 * Serves the built Management Tool at /console/. Hashed files under assets/ are cached for a year;
 * index.html (answered for /console and every other path under it, so client-side routes survive a
 * reload) is never cached, so a new build is picked up at once. A missing build answers 503 instead
 * of failing the server, which keeps the API usable without the console.
 */
export default async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const root = app.config.consoleDir;
  // No root at registration: the directory may not exist yet, and is checked on each request instead.
  await app.register(fastifyStatic, { serve: false, decorateReply: true });

  let built = false;
  const isBuilt = () => (built ||= existsSync(resolve(root, 'index.html')));

  const sendIndex = (reply: FastifyReply) => {
    if (!isBuilt()) return reply.code(503).header('retry-after', '30').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/console', async (_request, reply) => sendIndex(reply));

  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    const path = request.params['*'];
    if (path.startsWith('assets/')) {
      if (!isBuilt()) return reply.code(503).header('retry-after', '30').send(NOT_BUILT);
      // `send` confines the path to root (no `..`, no dotfiles); a missing asset is a plain 404.
      return reply.sendFile(path, root, { maxAge: '365d', immutable: true, dotfiles: 'deny', index: false });
    }
    return sendIndex(reply);
  });
}

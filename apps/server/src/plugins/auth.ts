import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../app-error.js';
import { clientCallers } from '@latchkey/contracts';
import { equalSecrets } from '../crypto/tokens.js';
import { callerOf } from '../clients/client-store.js';

export const ADMIN_COOKIE = 'latchkey_session';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]{20,128})$/.exec(header);
  return match?.[1];
}

/**
 * Who is calling: resolved on every request before the rate limiter (which keys on it), and
 * enforced per route from the contract's `auth` before the handler runs.
 */
async function auth(app: FastifyInstance) {
  app.decorateRequest('identity', null);

  app.addHook('onRequest', async (request) => {
    const routeAuth = request.routeOptions.config.auth;
    if (!routeAuth || routeAuth.kind === 'none') return;
    const token = bearer(request);
    if (routeAuth.kind === 'client') {
      const client = token ? await app.clients.authenticate(token) : undefined;
      if (!client) return;
      // Each route names the tokens that may call it (a guard's token never stands in for a lock, a
      // lock's or a per-user token never mints tokens): refused before the body is even checked.
      if (!clientCallers(routeAuth).includes(callerOf(client))) {
        throw new AppError(403, 'forbidden', 'This computer’s token cannot do this.');
      }
      request.identity = { kind: 'client', client };
      return;
    }
    const cookie = request.cookies[ADMIN_COOKIE];
    const sent = token ?? cookie;
    const admin = sent === undefined ? undefined : await app.adminSessions.resolve(sent);
    if (admin) request.identity = { kind: 'admin', admin, viaCookie: !token };
  });

  app.addHook('preHandler', async (request) => {
    const routeAuth = request.routeOptions.config.auth;
    if (!routeAuth || routeAuth.kind === 'none') return;
    const identity = request.identity;
    if (routeAuth.kind === 'client') {
      if (identity?.kind !== 'client') throw new AppError(401, 'unauthorized', 'This computer is not enrolled or its token is not valid.');
      return;
    }
    if (identity?.kind !== 'admin') throw new AppError(401, 'unauthorized', 'Sign in to the Management Tool.');
    if (!routeAuth.roles.includes(identity.admin.role as 'admin' | 'helpdesk')) {
      throw new AppError(403, 'forbidden', 'Your role does not allow this.');
    }
    // A cookie rides along with any request the browser makes; changes also need the CSRF token.
    if (identity.viaCookie && request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !equalSecrets(sent, identity.admin.csrfToken)) {
        throw new AppError(403, 'csrf_failed', 'The request was not sent by the Management Tool. Reload the page.');
      }
    }
  });
}

export default fp(auth, { name: 'auth', dependencies: ['services', '@fastify/cookie'] });

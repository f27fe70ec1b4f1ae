import type { FastifyRequest } from 'fastify';
import { actsFor, type ClientRow } from '../clients/client-store.js';
import type { AdminIdentity } from '../users/admin-sessions.js';
import { AppError } from '../app-error.js';

/** The enrolled Client behind a request; the auth hook has already refused anyone else. */
export function clientOf(request: FastifyRequest): ClientRow {
  if (request.identity?.kind !== 'client') throw new AppError(401, 'unauthorized', 'This computer is not enrolled.');
  return request.identity.client;
}

/** The Client behind a request that names an osUser: a per-user token naming another osUser gets 403 `os_user_mismatch`. */
export function clientFor(request: FastifyRequest, osUser: string): ClientRow {
  const client = clientOf(request);
  if (!actsFor(client, osUser)) throw new AppError(403, 'os_user_mismatch', 'This token acts for another Windows user.');
  return client;
}

export function adminOf(request: FastifyRequest): AdminIdentity {
  if (request.identity?.kind !== 'admin') throw new AppError(401, 'unauthorized', 'Sign in to the Management Tool.');
  return request.identity.admin;
}

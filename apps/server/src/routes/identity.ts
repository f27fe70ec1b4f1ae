import type { FastifyRequest } from 'fastify';
import type { ClientRow } from '../clients/client-store.js';
import type { AdminIdentity } from '../users/admin-sessions.js';
import { AppError } from '../app-error.js';

/** The enrolled Client behind a request; the auth hook has already refused anyone else. */
export function clientOf(request: FastifyRequest): ClientRow {
  if (request.identity?.kind !== 'client') throw new AppError(401, 'unauthorized', 'This computer is not enrolled.');
  return request.identity.client;
}

export function adminOf(request: FastifyRequest): AdminIdentity {
  if (request.identity?.kind !== 'admin') throw new AppError(401, 'unauthorized', 'Sign in to the Management Tool.');
  return request.identity.admin;
}

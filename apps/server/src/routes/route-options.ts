import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { API_LEVEL_HEADER, normalizeSafeText, type RouteDescriptor } from '@latchkey/contracts';

/**
 * Fastify route options straight from a contract descriptor: the schema is written once, in contracts.
 * The one boundary where typed text becomes NFC, before the schema checks it and before anything stores it.
 * A route whose answer grew since v1.1 answers a lock of v1.1 (no `latchkey-api` header) in the shape
 * it reads (`olderLocks`, see API_LEVEL in contracts).
 */
export function routeOptions<R extends RouteDescriptor>(route: R) {
  const bodySchema = route.schema.body;
  return {
    method: route.method,
    url: route.url,
    schema: route.schema as R['schema'],
    config: { auth: route.auth },
    ...(route.olderLocks ? { preSerialization: olderLockAnswer(route.olderLocks, route.successStatus) } : {}),
    ...(bodySchema
      ? {
          preValidation: async (request: FastifyRequest) => {
            // Assigned, not only changed in place: a union body is normalised on a copy.
            request.body = normalizeSafeText(bodySchema, request.body);
          },
        }
      : {}),
  };
}

/**
 * A lock of v1.1 or earlier sends no `latchkey-api` header and refuses an answer with a field its
 * schema does not name: its success answer loses the fields added since (serialized as plain JSON, as
 * the route's own serializer requires them).
 */
function olderLockAnswer(shape: TSchema, successStatus: number) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.headers[API_LEVEL_HEADER] !== undefined || reply.statusCode !== successStatus) return payload;
    reply.serializer(JSON.stringify);
    return Value.Clean(shape, structuredClone(payload));
  };
}

/** The Fastify instance as route plugins see it: request types come from the contract's TypeBox schemas. */
export type TypedApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

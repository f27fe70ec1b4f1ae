import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { normalizeSafeText, type RouteDescriptor } from '@latchkey/contracts';

/**
 * Fastify route options straight from a contract descriptor: the schema is written once, in contracts.
 * The one boundary where typed text becomes NFC, before the schema checks it and before anything stores it.
 */
export function routeOptions<R extends RouteDescriptor>(route: R) {
  const bodySchema = route.schema.body;
  return {
    method: route.method,
    url: route.url,
    schema: route.schema as R['schema'],
    config: { auth: route.auth },
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

/** The Fastify instance as route plugins see it: request types come from the contract's TypeBox schemas. */
export type TypedApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

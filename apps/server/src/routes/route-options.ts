import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteDescriptor } from '@latchkey/contracts';

/** Fastify route options straight from a contract descriptor: the schema is written once, in contracts. */
export function routeOptions<R extends RouteDescriptor>(route: R) {
  return {
    method: route.method,
    url: route.url,
    schema: route.schema as R['schema'],
    config: { auth: route.auth },
  };
}

/** The Fastify instance as route plugins see it: request types come from the contract's TypeBox schemas. */
export type TypedApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

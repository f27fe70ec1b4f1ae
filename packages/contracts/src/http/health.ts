import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { ErrorBodySchema } from '../errors.js';

/** What readiness checks: the database takes writes, mail leaves, the event loop keeps up. */
export const HEALTH_CHECKS = ['database', 'mail_queue', 'event_loop'] as const;
export type HealthCheckName = (typeof HEALTH_CHECKS)[number];

export const HealthCheckSchema = Type.Object(
  {
    name: Type.Union(HEALTH_CHECKS.map((name) => Type.Literal(name))),
    ok: Type.Boolean(),
    /** For people: why it fails (never internal error text). */
    detail: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type HealthCheck = Static<typeof HealthCheckSchema>;

/**
 * Which server process answered (LATCHKEY_NODE_NAME, default its host name): several may serve one
 * database. Every 1.2 server sends it; optional so that a Client checking a 1.1 server still accepts
 * its answer.
 */
export const NodeNameSchema = Type.Optional(Type.String({ minLength: 1, maxLength: 63 }));

export const HealthSchema = Type.Object(
  { status: Type.Literal('ok'), version: Type.String(), node: NodeNameSchema, checks: Type.Array(HealthCheckSchema) },
  { additionalProperties: false },
);
export type Health = Static<typeof HealthSchema>;

/** 503 from readiness: the error shape, plus every check so a load balancer log shows which failed. */
export const HealthUnavailableSchema = Type.Object(
  {
    error: Type.Object({ code: Type.Literal('service_unavailable'), message: Type.String() }, { additionalProperties: false }),
    status: Type.Literal('unavailable'),
    version: Type.String(),
    node: NodeNameSchema,
    checks: Type.Array(HealthCheckSchema),
  },
  { additionalProperties: false },
);
export type HealthUnavailable = Static<typeof HealthUnavailableSchema>;

export const health = defineRoute({
  method: 'GET',
  url: '/api/v1/health',
  auth: { kind: 'none' },
  successStatus: 200,
  schema: { response: { 200: HealthSchema, ...errorResponses(), 503: Type.Union([HealthUnavailableSchema, ErrorBodySchema]) } },
});

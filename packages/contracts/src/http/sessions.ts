import { Type } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { IdSchema } from './common.js';

export const SessionIdParamsSchema = Type.Object({ sessionId: IdSchema }, { additionalProperties: false });

/** How often a Client sends a session's heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 60_000;
/** A session not heard from for this long shows as not responding (3 heartbeats missed). */
export const NOT_RESPONDING_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export const heartbeat = defineRoute({
  method: 'POST',
  url: '/api/v1/sessions/:sessionId/heartbeat',
  auth: { kind: 'client' },
  successStatus: 204,
  schema: { params: SessionIdParamsSchema, response: { 204: Type.Null(), ...errorResponses(401, 404, 409) } },
});

/**
 * v1.2: the session was re-locked (Windows unlock, reconnect, resume, by the policy). From then on it
 * is locked: heartbeats do not reopen it and `unlocked-sessions` leaves it out until a new verdict.
 */
export const relockSession = defineRoute({
  method: 'POST',
  url: '/api/v1/sessions/:sessionId/relock',
  auth: { kind: 'client', guard: true },
  successStatus: 204,
  schema: { params: SessionIdParamsSchema, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
});

export const endSession = defineRoute({
  method: 'POST',
  url: '/api/v1/sessions/:sessionId/end',
  auth: { kind: 'client' },
  successStatus: 204,
  schema: { params: SessionIdParamsSchema, response: { 204: Type.Null(), ...errorResponses(401, 404) } },
});

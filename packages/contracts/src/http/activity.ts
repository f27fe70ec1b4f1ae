import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { TimestampSchema } from './common.js';
import { SessionIdParamsSchema } from './sessions.js';

/**
 * What the Client records about an unlocked session (the seed's step 7), and nothing more: no
 * screen capture, keystrokes, window titles or application names.
 * `unlock.*` says how the desktop was unlocked; `idle` is dated to the last input, not to when the
 * Client noticed it.
 */
export const ACTIVITY_EVENT_TYPES = [
  'unlock.otp',
  'unlock.emergency',
  'unlock.generated',
  'unlock.offline',
  'screen.locked',
  'screen.unlocked',
  'idle',
  'active',
  'suspend',
  'resume',
  'remote.connected',
  'remote.disconnected',
  'signed_out',
  'ended',
] as const;
export type ActivityEventType = (typeof ACTIVITY_EVENT_TYPES)[number];
export const ActivityEventTypeSchema = Type.Union(ACTIVITY_EVENT_TYPES.map((type) => Type.Literal(type)));

export const ActivityEventSchema = Type.Object({ type: ActivityEventTypeSchema, at: TimestampSchema }, { additionalProperties: false });
export type ActivityEvent = Static<typeof ActivityEventSchema>;

/** At most this many events per call; a Client with more sends several batches. */
export const ACTIVITY_BATCH_MAX = 100;

export const ActivityBatchSchema = Type.Object(
  { events: Type.Array(ActivityEventSchema, { minItems: 1, maxItems: ACTIVITY_BATCH_MAX }) },
  { additionalProperties: false },
);
export type ActivityBatch = Static<typeof ActivityBatchSchema>;

/** Idempotent: an event already stored (same type and time) is not stored twice, so a retried batch is harmless. */
export const postSessionEvents = defineRoute({
  method: 'POST',
  url: '/api/v1/sessions/:sessionId/events',
  auth: { kind: 'client' },
  successStatus: 204,
  schema: { params: SessionIdParamsSchema, body: ActivityBatchSchema, response: { 204: Type.Null(), ...errorResponses(400, 401, 404) } },
});

/** Oldest first. */
export const listSessionEvents = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/sessions/:sessionId/events',
  auth: { kind: 'admin', roles: ['admin', 'helpdesk'] },
  successStatus: 200,
  schema: { params: SessionIdParamsSchema, response: { 200: Type.Array(ActivityEventSchema), ...errorResponses(401, 403, 404) } },
});

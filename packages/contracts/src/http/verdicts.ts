import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { IdSchema, OsUserSchema, TimestampSchema } from './common.js';
import { NonceSchema, ServerPublicKeySchema, SignatureSchema } from './verdict.js';

/** Why a Client refused an unlock answer (see apps/client/src/lock/verdict.ts). */
export const VERDICT_FAILURE_REASONS = ['missing', 'invalid_signature', 'stale', 'no_pinned_key', 'key_mismatch'] as const;
export const VerdictFailureReasonSchema = Type.Union(VERDICT_FAILURE_REASONS.map((r) => Type.Literal(r)));
export type VerdictFailureReason = Static<typeof VerdictFailureReasonSchema>;

export const VerdictFailureSchema = Type.Object(
  {
    osUser: OsUserSchema,
    reason: VerdictFailureReasonSchema,
    /** When the Client refused the answer (its own clock). */
    at: TimestampSchema,
    /** The sessionId the refused answer named, if any: the server ends that session if it is this Client's. */
    sessionId: Type.Optional(IdSchema),
  },
  { additionalProperties: false },
);
export type VerdictFailure = Static<typeof VerdictFailureSchema>;
/** A refusal read back from a Client's storage passes only as the server's schema would take it. */
export const isVerdictFailure = (value: unknown): value is VerdictFailure => Value.Check(VerdictFailureSchema, value);

export const VerdictFailuresBodySchema = Type.Object(
  { failures: Type.Array(VerdictFailureSchema, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);
export type VerdictFailuresBody = Static<typeof VerdictFailuresBodySchema>;

/** The Client reports unlock answers it refused, once it reaches the server again; each becomes an audit event. */
export const reportVerdictFailures = defineRoute({
  method: 'POST',
  url: '/api/v1/client/verdict-failures',
  auth: { kind: 'client' },
  successStatus: 204,
  schema: { body: VerdictFailuresBodySchema, response: { 204: Type.Null(), ...errorResponses(401) } },
});

export const UnlockedSessionsQuerySchema = Type.Object({ nonce: NonceSchema }, { additionalProperties: false });

export const UnlockedSessionSchema = Type.Object(
  { sessionId: IdSchema, osUser: Type.String(), startedAt: TimestampSchema },
  { additionalProperties: false },
);

/**
 * The guard's question: which users have an unlocked (open, recently heard from) session on this
 * computer. Signed over `unlockedSessionsMessage`, so a forged or replayed answer is refused.
 */
export const UnlockedSessionsSchema = Type.Object(
  {
    clientId: IdSchema,
    computerName: Type.String(),
    nonce: NonceSchema,
    time: TimestampSchema,
    sessions: Type.Array(UnlockedSessionSchema),
    signature: SignatureSchema,
  },
  { additionalProperties: false },
);
export type UnlockedSessions = Static<typeof UnlockedSessionsSchema>;

export const getUnlockedSessions = defineRoute({
  method: 'GET',
  url: '/api/v1/client/unlocked-sessions',
  auth: { kind: 'client', guard: true },
  successStatus: 200,
  schema: { querystring: UnlockedSessionsQuerySchema, response: { 200: UnlockedSessionsSchema, ...errorResponses(401) } },
});

export const ServerKeySchema = Type.Object(
  {
    algorithm: Type.Literal('Ed25519'),
    publicKey: ServerPublicKeySchema,
    /** SHA-256 of the raw public key, as `formatFingerprint` writes it. */
    fingerprint: Type.String(),
  },
  { additionalProperties: false },
);
export type ServerKey = Static<typeof ServerKeySchema>;

/** The server's verdict-signing key, for the Management Tool (Settings) and for pinning it in installers. */
export const getServerKey = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/server-key',
  auth: { kind: 'admin', roles: ['admin', 'helpdesk'] },
  successStatus: 200,
  schema: { response: { 200: ServerKeySchema, ...errorResponses(401, 403) } },
});

import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { IdSchema, OsUserSchema } from './common.js';
import { NonceSchema, VerdictSchema } from './verdict.js';

/** v1.2 "Who must unlock, and when": how the user logged on. */
export const LOGON_KINDS = ['local', 'remote'] as const;
export const LogonKindSchema = Type.Union(LOGON_KINDS.map((k) => Type.Literal(k)));
export type LogonKind = Static<typeof LogonKindSchema>;

export const LockDecisionBodySchema = Type.Object(
  { osUser: OsUserSchema, logonKind: LogonKindSchema, nonce: NonceSchema },
  { additionalProperties: false },
);
export type LockDecisionBody = Static<typeof LockDecisionBodySchema>;

/** Why a session is not locked; `required` when it is. */
export const LOCK_DECISION_REASONS = ['required', 'exempt_account', 'exempt_group', 'logon_kind', 'otp_disabled'] as const;
export const LockDecisionReasonSchema = Type.Union(LOCK_DECISION_REASONS.map((r) => Type.Literal(r)));
export type LockDecisionReason = Static<typeof LockDecisionReasonSchema>;

/** The reasons a session is not locked (every reason but `required`). */
export const EXEMPT_REASONS = [
  'exempt_account',
  'exempt_group',
  'logon_kind',
  'otp_disabled',
] as const satisfies readonly LockDecisionReason[];
export const ExemptReasonSchema = Type.Union(EXEMPT_REASONS.map((r) => Type.Literal(r)));
export type ExemptReason = Static<typeof ExemptReasonSchema>;

/**
 * `lock: false` carries a verdict signed exactly like an unlock verdict (VerdictFields over the
 * Client, the osUser, the nonce and `sessionId`, the exempt session listed in Client Sessions); the
 * Client, and the guard, stay open only on a valid one. `lock: true` has reason `required` and no verdict.
 */
export const LockDecisionSchema = Type.Object(
  {
    lock: Type.Boolean(),
    reason: LockDecisionReasonSchema,
    sessionId: Type.Optional(IdSchema),
    verdict: Type.Optional(VerdictSchema),
  },
  { additionalProperties: false },
);
export type LockDecision = Static<typeof LockDecisionSchema>;

export const lockDecision = defineRoute({
  method: 'POST',
  url: '/api/v1/client/lock-decision',
  auth: { kind: 'client', guard: true },
  successStatus: 200,
  schema: { body: LockDecisionBodySchema, response: { 200: LockDecisionSchema, ...errorResponses(401, 403) } },
});

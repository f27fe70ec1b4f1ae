import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { defineRoute } from './route.js';
import { SettingsSchema } from './admin/settings.js';
import { errorResponses } from './errors-response.js';
import { ComputerNameSchema, IdSchema, OsUserSchema, QueryIntegerSchema, TimestampSchema } from './common.js';
import { ServerPublicKeySchema } from './verdict.js';

/**
 * What an enrolled Client is (an extension of v1.1, see docs/security.md):
 * - `lock`: the lock of one user profile, enrolled by itself (the default);
 * - `machine`: the lock of a computer, enrolled once by the elevated installer (`--enroll-machine`);
 *   every user's lock on it shares this token, so its offline key stays with the machine and is never
 *   sent with the policy;
 * - `guard`: the guard (`--guard`, as SYSTEM); it may only ask for the signed unlocked-sessions
 *   answer, never request or verify OTPs, and gets no offline key. A lock and a guard with one
 *   computer name are not duplicates.
 */
export const ClientRoleSchema = Type.Union([Type.Literal('lock'), Type.Literal('machine'), Type.Literal('guard')]);
export type ClientRole = Static<typeof ClientRoleSchema>;

export const EnrollBodySchema = Type.Object(
  {
    enrollmentKey: Type.String({ minLength: 1, maxLength: 256 }),
    computerName: ComputerNameSchema,
    /** Absent: `lock`. */
    role: Type.Optional(ClientRoleSchema),
  },
  { additionalProperties: false },
);
export type EnrollBody = Static<typeof EnrollBodySchema>;

/**
 * The Client's offline key (256 bits, base64url), answered once at enrollment and, for a Client
 * enrolled before offline unlock or after a rotation, with its policy until it confirms it holds it.
 */
export const OfflineKeySchema = Type.Object(
  { clientId: IdSchema, version: Type.Integer({ minimum: 1 }), key: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) },
  { additionalProperties: false },
);
export type OfflineKey = Static<typeof OfflineKeySchema>;
export const isOfflineKey = (value: unknown): value is OfflineKey => Value.Check(OfflineKeySchema, value);

export const EnrollResultSchema = Type.Object(
  {
    clientId: IdSchema,
    clientToken: Type.String({ minLength: 32 }),
    /** The key that signs verdicts; a Client with a pinned key refuses an answer naming another. */
    serverPublicKey: ServerPublicKeySchema,
    /** Absent for a guard, which has no use for one. */
    offlineKey: Type.Optional(OfflineKeySchema),
  },
  { additionalProperties: false },
);
export type EnrollResult = Static<typeof EnrollResultSchema>;

export const enroll = defineRoute({
  method: 'POST',
  url: '/api/v1/clients/enroll',
  auth: { kind: 'none' },
  successStatus: 201,
  schema: { body: EnrollBodySchema, response: { 201: EnrollResultSchema, ...errorResponses(401) } },
});

/** The settings a lock of v1.1 reads in its policy. */
const POLICY_SETTINGS_1_1 = [
  'autoSendToDirectoryUsers',
  'autoSendToInternalUsers',
  'accessRequestExpirationMinutes',
  'otpRequestIntervalMinutes',
  'otpLength',
  'askAgainOnUnlock',
  'unlockGraceMinutes',
  'allowOfflineUnlock',
] as const satisfies readonly (keyof typeof SettingsSchema.properties)[];
/** v1.2: who must unlock, and when. A v1.1 lock refuses a policy that has them (API_LEVEL). */
const POLICY_SETTINGS_SINCE_1_2 = [
  'lockLocalLogons',
  'lockRemoteLogons',
  'exemptAccounts',
  'relockSendsToSessionEmail',
  'helpdeskContact',
  'lockTitle',
  'lockMessage',
] as const satisfies readonly (keyof typeof SettingsSchema.properties)[];
/**
 * The settings a Client needs, by name: the policy carries them with the settings' own limits
 * (Type.Pick), so a limit is written once. `policyFromSettings` copies exactly these.
 */
export const POLICY_SETTINGS = [...POLICY_SETTINGS_1_1, ...POLICY_SETTINGS_SINCE_1_2] as const;

export const ClientPolicySchema = Type.Composite(
  [
    Type.Pick(SettingsSchema, POLICY_SETTINGS),
    Type.Object({
      allowOneTimePasswords: Type.Boolean(),
      computerName: Type.Optional(Type.String()),
      /** The offline key version the server holds for this Client (0: none yet). */
      offlineKeyVersion: Type.Integer({ minimum: 0 }),
      /** Present until the Client confirms (with `?offlineKeyVersion=`) that it holds this version. */
      offlineKey: Type.Optional(OfflineKeySchema),
    }),
  ],
  { additionalProperties: false },
);
export type ClientPolicy = Static<typeof ClientPolicySchema>;

export const getPolicy = defineRoute({
  method: 'GET',
  url: '/api/v1/client/policy',
  auth: { kind: 'client' },
  successStatus: 200,
  schema: {
    /** The offline key version the Client holds; the server stops sending the key once this names it. */
    querystring: Type.Object({ offlineKeyVersion: Type.Optional(QueryIntegerSchema) }, { additionalProperties: false }),
    response: { 200: ClientPolicySchema, ...errorResponses(401) },
  },
  olderLocks: Type.Omit(ClientPolicySchema, POLICY_SETTINGS_SINCE_1_2),
});

/** A challenge or response as typed: the alphabet in either case, with spaces or dashes between groups. */
export const OfflineCodeInputSchema = Type.String({ minLength: 8, maxLength: 24, pattern: '^[0-9A-Za-z][0-9A-Za-z -]*[0-9A-Za-z]$' });

export const OfflineUnlockReportSchema = Type.Object(
  {
    osUser: OsUserSchema,
    challenge: OfflineCodeInputSchema,
    /** When the Client made the challenge. */
    challengeIssuedAt: TimestampSchema,
    /** When the response was accepted and the lock opened. */
    usedAt: TimestampSchema,
    keyVersion: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type OfflineUnlockReport = Static<typeof OfflineUnlockReportSchema>;

/**
 * An offline unlock is reported. v1.2: only the guard's report (the guard checked the response code
 * itself) opens a session, answered as `sessionId`; a lock's, machine's or per-user token's report is
 * recorded and audited as information and opens nothing (no `sessionId`). 409
 * `offline_unlock_disabled` while `allowOfflineUnlock` is off; a per-user token naming another
 * osUser: 403 `os_user_mismatch`.
 */
export const reportOfflineUnlock = defineRoute({
  method: 'POST',
  url: '/api/v1/client/offline-unlocks',
  auth: { kind: 'client', guard: true },
  successStatus: 201,
  schema: {
    body: OfflineUnlockReportSchema,
    response: {
      201: Type.Object({ sessionId: Type.Optional(IdSchema) }, { additionalProperties: false }),
      ...errorResponses(401, 403, 409),
    },
  },
});

export const UserTokenBodySchema = Type.Object({ osUser: OsUserSchema }, { additionalProperties: false });
export const UserTokenResultSchema = Type.Object(
  { clientToken: Type.String({ minLength: 32 }), osUser: Type.String() },
  { additionalProperties: false },
);
export type UserTokenResult = Static<typeof UserTokenResultSchema>;

/**
 * v1.2, the guard is the authority: a token of the same Client bound to one osUser, which the guard
 * hands to that user's lock. With it, a call naming another osUser answers 403 `os_user_mismatch`
 * (verify: 401 `access_denied`), and another osUser's requests and sessions answer 404. Asked with a
 * machine or guard token; a lock token (or a per-user token) gets 403.
 */
export const createUserToken = defineRoute({
  method: 'POST',
  url: '/api/v1/client/user-tokens',
  auth: { kind: 'client', callers: ['machine', 'guard'] },
  successStatus: 201,
  schema: { body: UserTokenBodySchema, response: { 201: UserTokenResultSchema, ...errorResponses(401, 403) } },
});

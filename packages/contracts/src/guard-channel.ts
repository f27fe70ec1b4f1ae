import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LockDecisionSchema } from './http/lock-decision.js';
import { VerifyResultSchema } from './http/otp.js';
import { IdSchema } from './http/common.js';
import { encodeFields, NonceSchema, ServerPublicKeySchema, SignatureSchema } from './http/verdict.js';
import { OfflineOfferSchema } from './ipc.js';

/**
 * The local channel between a lock and the guard (v1.2, "The guard is the authority on the
 * computer"). On Windows a named pipe whose server end is SYSTEM's; the guard learns from Windows
 * which session and process the caller is (never from the message). One JSON object a line, both
 * ways, each checked against these schemas on both ends. The lock asks; the guard decides.
 *
 * Lock → guard: a request with an `id`; the guard answers with the same `id`.
 * Guard → lock: answers, and `relock` (no `id`) when the guard locked the session again.
 *
 * Authenticated (docs/security.md, "The guard"): any interactive user can create another server
 * instance of the pipe's name, so the lock cannot know from the pipe that it reached the guard. The
 * lock's `hello` carries a fresh random challenge; every guard message of that connection carries an
 * Ed25519 signature, made with the guard identity key (SYSTEM only), over `guardSignedBytes`: the
 * context, that challenge and the whole message but its signature. The lock checks each one against
 * the public key of the trust file (lock-trust.json, which users can read and not write) and ignores
 * any other; a message signed for another connection (another challenge) does not verify.
 */
export const GUARD_CHANNEL_VERSION = 1;
/** A longer line is refused and the connection closed: nothing the lock sends needs more. */
export const GUARD_CHANNEL_MAX_LINE = 16 * 1024;

const Id = Type.Integer({ minimum: 1, maximum: 2 ** 31 });
/** The lock's fresh random challenge of one connection: at least 32 bytes, base64url. */
export const GuardChallengeSchema = Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
/** What the guard's signatures start with, so they are never taken for a verdict or anything else. */
export const GUARD_CHANNEL_CONTEXT = 'latchkey guard channel v1';
const request = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ id: Id, type: Type.Literal(type), ...props }, { additionalProperties: false });

export const GuardRequestSchema = Type.Union([
  /** The first message: who am I to the guard (user, state, the per-user token). */
  request('hello', { version: Type.Literal(GUARD_CHANNEL_VERSION), challenge: GuardChallengeSchema }),
  /** A fresh nonce issued by the guard for the caller's session, for one verify or lock-decision call. */
  request('nonce', {}),
  /** The server's answer to a verify made with a guard nonce: the guard checks the verdict itself. */
  request('unlock', { nonce: NonceSchema, result: VerifyResultSchema }),
  /** A lock-decision answer `lock: false` made with a guard nonce. */
  request('exempt', { nonce: NonceSchema, decision: LockDecisionSchema }),
  /** The offline challenge for the caller's user (made by the guard when there is none). */
  request('offline-offer', {}),
  /** The response code the person typed; the guard checks it with the machine key. */
  request('offline-check', { responseCode: Type.String({ maxLength: 32 }) }),
]);
export type GuardRequest = Static<typeof GuardRequestSchema>;

/** Why the guard said no. */
export const GUARD_REFUSALS = [
  'invalid_message',
  /** The caller is not the lock process the guard started for its session. */
  'not_the_lock',
  /** The nonce was not issued by the guard for this session, or was used already. */
  'unknown_nonce',
  /** The verdict does not verify for this Client, user, nonce and time. */
  'invalid_verdict',
  'not_enrolled',
  'unavailable',
] as const;
export const GuardRefusalSchema = Type.Union(GUARD_REFUSALS.map((r) => Type.Literal(r)));
export type GuardRefusal = Static<typeof GuardRefusalSchema>;

export const GuardSessionStateSchema = Type.Union([Type.Literal('locked'), Type.Literal('unlocked'), Type.Literal('exempt')]);
export type GuardSessionState = Static<typeof GuardSessionStateSchema>;

export const OFFLINE_CHECK_FAILURES = ['unavailable', 'format', 'expired', 'waiting', 'wrong', 'burnt'] as const;
export const OfflineCheckResultSchema = Type.Union([
  Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false }),
  Type.Object(
    {
      ok: Type.Literal(false),
      reason: Type.Union(OFFLINE_CHECK_FAILURES.map((r) => Type.Literal(r))),
      attemptsLeft: Type.Optional(Type.Integer({ minimum: 0 })),
      waitUntil: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
]);
export type OfflineCheckResult = Static<typeof OfflineCheckResultSchema>;

const answer = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ id: Id, type: Type.Literal(type), ...props, signature: SignatureSchema }, { additionalProperties: false });

export const GuardMessageSchema = Type.Union([
  answer('welcome', {
    /** Who the guard sees on the other end (from Windows): the lock checks both against its own. */
    osUser: Type.String({ maxLength: 256 }),
    windowsSessionId: Type.Integer({ minimum: 0 }),
    state: GuardSessionStateSchema,
    /** The Client the guard and this lock act for, and the server key it pins: the lock checks verdicts too. */
    clientId: Type.Optional(IdSchema),
    serverPublicKey: Type.Optional(ServerPublicKeySchema),
    /** The servers the guard talks to, `;` between them, in order (the lock cannot read the machine configuration). */
    serverUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
    /** The per-user token (POST /client/user-tokens), absent while the guard could not mint one. */
    clientToken: Type.Optional(Type.String({ minLength: 32, maxLength: 512 })),
    /** Whether the guard can check offline response codes (it holds a machine offline key). */
    offline: Type.Boolean(),
  }),
  answer('nonce', { nonce: NonceSchema }),
  answer('unlocked', {}),
  answer('offline-offer', { offer: Type.Union([OfflineOfferSchema, Type.Null()]) }),
  answer('offline-result', { result: OfflineCheckResultSchema }),
  answer('refused', { reason: GuardRefusalSchema }),
  /** Pushed: the guard locked this session again (askAgainOnUnlock). */
  Type.Object(
    {
      type: Type.Literal('relock'),
      event: Type.Union([Type.Literal('windows-unlock'), Type.Literal('reconnect'), Type.Literal('resume')]),
      signature: SignatureSchema,
    },
    { additionalProperties: false },
  ),
]);
export type GuardMessage = Static<typeof GuardMessageSchema>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A guard message before the guard signs it. */
export type UnsignedGuardMessage = DistributiveOmit<GuardMessage, 'signature'>;

/** JSON with every object's keys in order: the same bytes on both ends whatever order they were built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What the guard signs for one message of the connection whose hello carried `challenge` (length-prefixed fields, as verdicts). */
export function guardSignedBytes(challenge: string, message: UnsignedGuardMessage | GuardMessage): Uint8Array {
  const { signature: _signature, ...rest } = message as GuardMessage;
  return encodeFields([GUARD_CHANNEL_CONTEXT, challenge, canonicalJson(rest)]);
}

/** One line of the channel, parsed and checked; undefined for anything that is not a valid message. */
function parseLine<T>(schema: TSchema, line: string): T | undefined {
  if (line.length > GUARD_CHANNEL_MAX_LINE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return Value.Check(schema, value) ? (value as T) : undefined;
}

export const parseGuardRequest = (line: string) => parseLine<GuardRequest>(GuardRequestSchema, line);
export const parseGuardMessage = (line: string) => parseLine<GuardMessage>(GuardMessageSchema, line);
export const guardLine = (message: GuardRequest | GuardMessage): string => `${JSON.stringify(message)}\n`;

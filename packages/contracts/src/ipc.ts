import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { OtpRequestMethodSchema, OtpRequestStateSchema } from './http/otp.js';
import { TimestampSchema } from './http/common.js';
import { ERROR_CODES } from './errors.js';
import type { ClientErrorCode } from './http/call.js';

/**
 * The lock window's IPC contract: main hosts the lock controller, the preload turns this map into
 * narrow named functions, the renderer sees only those. Payloads are loosely typed strings on
 * purpose (bounded lengths only): the controller checks formats and answers with a message the
 * person can act on, instead of an IPC rejection nobody sees.
 */

/** What the lock window is showing. */
export const LockPhaseSchema = Type.Union([
  Type.Literal('starting'),
  Type.Literal('offline'),
  Type.Literal('locked'),
  Type.Literal('unlocked'),
  Type.Literal('signing_out'),
]);
export type LockPhase = Static<typeof LockPhaseSchema>;

export const LockPopupSchema = Type.Union([Type.Literal('lock'), Type.Literal('request'), Type.Literal('offline')]);
export type LockPopup = Static<typeof LockPopupSchema>;

/** Which request form the policy calls for: email (neither auto option), directory (AD) or internal. */
export const RequestModeSchema = Type.Union([Type.Literal('email'), Type.Literal('directory'), Type.Literal('internal')]);
export type RequestMode = Static<typeof RequestModeSchema>;

/**
 * Every notice the lock shows that is not an API error code: the request's status, the lock's own
 * checks of what was typed, re-locks, offline unlock and signed verdicts. A closed list, so the
 * renderer switches on known values only.
 */
export const LOCK_NOTICE_CODES = [
  'server_unreachable',
  'waiting_for_approval',
  'otp_sent',
  'otp_resent',
  'request_denied',
  'request_lapsed',
  'request_expired',
  'request_used',
  'request_burnt',
  'request_superseded',
  'request_cancelled',
  'interval_over',
  'wrong_code',
  'last_attempt',
  'email_missing',
  'email_invalid',
  'reason_invalid',
  'login_missing',
  'password_missing',
  'otp_format',
  'relocked',
  'relock_sent',
  'verdict_invalid',
  'decision_invalid',
  'offline_format',
  'offline_wrong',
  'offline_burnt',
  'offline_expired',
  'offline_waiting',
  'offline_unavailable',
  'offline_unlocked',
  /** An installer-enrolled lock that could not verify the guard (guard-link.ts): it stays locked. */
  'guard_unverified',
] as const;
export type LockNoticeCode = (typeof LOCK_NOTICE_CODES)[number];
/** A notice's code: one of the lock's own, or the API's error code it reports (`access_denied`, `otp_interval` …). */
export type NoticeCode = LockNoticeCode | ClientErrorCode;
export const NoticeCodeSchema = Type.Union(
  [...new Set<string>([...LOCK_NOTICE_CODES, ...ERROR_CODES, 'network_error', 'bad_response'])].map((c) => Type.Literal(c)),
) as unknown as TSchema & { static: NoticeCode };

export const NoticeSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('info'), Type.Literal('success'), Type.Literal('error')]),
    /** Stable code the UI and tests can switch on (`otp_sent`, `access_denied`, `server_unreachable`, ...). */
    code: NoticeCodeSchema,
    /** In the lock's language (LockState.locale). */
    text: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type Notice = Static<typeof NoticeSchema>;

export const LockBusySchema = Type.Union([
  Type.Literal('policy'),
  Type.Literal('request'),
  Type.Literal('verify'),
  Type.Literal('resend'),
  Type.Literal('offline'),
  Type.Literal('cancel'),
]);

/** "Unlock with the helpdesk", offered while the server cannot be reached. */
export const OfflineOfferSchema = Type.Object(
  {
    /** No challenge is shown while a burnt one's wait runs, or when this Client has no offline key. */
    challenge: Type.Optional(Type.String({ maxLength: 16 })),
    expiresAt: Type.Optional(TimestampSchema),
    attemptsLeft: Type.Integer({ minimum: 0 }),
    /** After 5 wrong responses: when the next challenge can be made. */
    waitUntil: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
);
export type OfflineOffer = Static<typeof OfflineOfferSchema>;

export const LockStateSchema = Type.Object(
  {
    phase: LockPhaseSchema,
    popup: LockPopupSchema,
    osUser: Type.String(),
    computerName: Type.Optional(Type.String()),
    /** v1.2: the language the lock speaks (en, de, fr, es): the Windows display language, else English. */
    locale: Type.String({ maxLength: 8 }),
    /** v1.2: the company's words from the policy ('' or absent: the built-in heading and sentence). */
    lockTitle: Type.Optional(Type.String({ maxLength: 80 })),
    lockMessage: Type.Optional(Type.String({ maxLength: 500 })),
    helpdeskContact: Type.Optional(Type.String({ maxLength: 200 })),
    requestMode: RequestModeSchema,
    /** Both automatic options on: the form may switch to this one ("Use my internal login instead"). */
    alternativeMode: Type.Optional(RequestModeSchema),
    otpAllowed: Type.Boolean(),
    otpLength: Type.Integer(),
    /** Set once a request was made: shown in the lock pop-up, read-only. */
    email: Type.Optional(Type.String()),
    /** The last request for an OTP (for status and resend). */
    request: Type.Optional(OtpRequestStateSchema),
    /** After a refused new request (`otp_interval`), or a burnt OTP within the interval: when a new one can be requested, epoch ms. */
    nextRequestAt: Type.Optional(TimestampSchema),
    canResend: Type.Boolean(),
    busy: Type.Optional(LockBusySchema),
    notice: Type.Optional(NoticeSchema),
    /** While the server cannot be reached: the next automatic attempt. */
    retry: Type.Optional(Type.Object({ attempt: Type.Integer({ minimum: 1 }), at: TimestampSchema }, { additionalProperties: false })),
    /** Present while offline unlock is offered. */
    offline: Type.Optional(OfflineOfferSchema),
  },
  { additionalProperties: false },
);
export type LockState = Static<typeof LockStateSchema>;

const Text = (maxLength: number) => Type.String({ maxLength });

export const RequestOtpInputSchema = Type.Object(
  {
    method: OtpRequestMethodSchema,
    email: Type.Optional(Text(254)),
    login: Type.Optional(Text(64)),
    password: Type.Optional(Text(256)),
    reason: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export type RequestOtpInput = Static<typeof RequestOtpInputSchema>;

export const VerifyInputSchema = Type.Object({ email: Text(254), otp: Text(32) }, { additionalProperties: false });
export type VerifyInput = Static<typeof VerifyInputSchema>;

export const OfflineUnlockInputSchema = Type.Object({ responseCode: Text(32) }, { additionalProperties: false });
export type OfflineUnlockInput = Static<typeof OfflineUnlockInputSchema>;

const NoPayload = Type.Null();

interface InvokeChannel {
  /** The preload's function name for this channel. */
  fn: string;
  request: TSchema;
  response: TSchema;
}

/** renderer → main, answered (ipcRenderer.invoke / ipcMain.handle). */
export const lockInvokeChannels = {
  'lock:get-state': { fn: 'getState', request: NoPayload, response: LockStateSchema },
  'lock:show-request': { fn: 'showRequest', request: NoPayload, response: NoPayload },
  'lock:show-lock': { fn: 'showLock', request: NoPayload, response: NoPayload },
  'lock:request-otp': { fn: 'requestOtp', request: RequestOtpInputSchema, response: NoPayload },
  'lock:verify': { fn: 'verify', request: VerifyInputSchema, response: NoPayload },
  'lock:resend': { fn: 'resend', request: NoPayload, response: NoPayload },
  'lock:cancel-request': { fn: 'cancelRequest', request: NoPayload, response: NoPayload },
  'lock:retry-now': { fn: 'retryNow', request: NoPayload, response: NoPayload },
  'lock:sign-out': { fn: 'signOut', request: NoPayload, response: NoPayload },
  'lock:show-offline': { fn: 'showOffline', request: NoPayload, response: NoPayload },
  'lock:offline-unlock': { fn: 'offlineUnlock', request: OfflineUnlockInputSchema, response: NoPayload },
} as const satisfies Record<`lock:${string}`, InvokeChannel>;

/** main → renderer, no answer (webContents.send / ipcRenderer.on). */
export const lockEventChannels = {
  'lock:state-changed': { fn: 'onStateChanged', payload: LockStateSchema },
} as const satisfies Record<`lock:${string}`, { fn: string; payload: TSchema }>;

export type LockInvokeChannels = typeof lockInvokeChannels;
export type LockInvokeChannel = keyof LockInvokeChannels;
export type LockEventChannel = keyof typeof lockEventChannels;
export type IpcRequest<C extends LockInvokeChannel> = Static<LockInvokeChannels[C]['request']>;
export type IpcResponse<C extends LockInvokeChannel> = Static<LockInvokeChannels[C]['response']>;
export type IpcEventPayload<C extends LockEventChannel> = Static<(typeof lockEventChannels)[C]['payload']>;

/** One handler per invoke channel, as main (or the preview page) implements them. */
export type LockIpcHandlers = { [C in LockInvokeChannel]: (payload: IpcRequest<C>) => Promise<IpcResponse<C>> };

/** Whether a payload fits a channel's request schema (main checks every call with it). */
export function isIpcRequest<C extends LockInvokeChannel>(channel: C, payload: unknown): payload is IpcRequest<C> {
  const entry = (lockInvokeChannels as Record<string, InvokeChannel>)[channel];
  return entry !== undefined && Value.Check(entry.request, payload);
}

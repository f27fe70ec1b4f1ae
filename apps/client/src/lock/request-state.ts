import {
  allowedRequestMethods,
  isSafeMultilineText,
  isValidEmail,
  isValidLoginName,
  type ClientPolicy,
  type LockState,
  type Notice,
  type OtpRequestBody,
  type OtpRequestState,
  type RequestOtpInput,
  type VerdictFailureReason,
  type VerifyInput,
} from '@latchkey/contracts';
import { verdictNotice } from './verdict.js';
import {
  accessDeniedBecause,
  burntNotice,
  cancelledNotice,
  errorNotice,
  inputNotice,
  intervalNotice,
  resentNotice,
  statusNotice,
  type Words,
} from './messages.js';
import { nextState, showsInterval, withNotice } from './lock-state.js';
import { lapsed, readStatus, settledStatus } from './request-status.js';

/**
 * The request flow's state changes (request-flow.ts), as pure functions: the lock's state in, the
 * next state out, with the time and the lock's words given. Tested on their own
 * (test/lock/request-state.test.ts).
 */

// An interval refusal on show (showsInterval) holds the notice: a status change leaves it, the request
// pop-up renews it, its minutes count down (intervalTick) until its time has come, when it says "now"
// and is a notice like any other; going back to the lock pop-up drops it. Only these functions (and
// RequestFlow.followInterval, which times the countdown) ask.

/** The words of the request's status; a burnt OTP's say when the next request can be made. */
export function requestNotice(state: LockState, w: Words): Notice | undefined {
  const { request } = state;
  if (!request) return undefined;
  return request.status === 'burnt' ? burntNotice(w, state.nextRequestAt, false) : statusNotice(w, request);
}

/** The server took a request: the lock pop-up says what happens now, and no interval wait is known any more. */
export function requested(state: LockState, request: OtpRequestState, w: Words, now: number): LockState {
  return nextState(
    state,
    { request, email: request.email, popup: 'lock', notice: statusNotice(w, request) },
    ['busy', 'nextRequestAt'],
    now,
  );
}

/**
 * When the interval lets this Client have a new OTP after `request`'s (issued an expiry period
 * before its expiresAt); undefined when that time has passed or cannot be known.
 */
export function nextRequestAfter(request: OtpRequestState, policy: ClientPolicy, now: number): number | undefined {
  const { otpRequestIntervalMinutes, accessRequestExpirationMinutes } = policy;
  if (request.expiresAt === undefined || otpRequestIntervalMinutes <= 0) return undefined;
  const next = request.expiresAt - accessRequestExpirationMinutes * 60_000 + otpRequestIntervalMinutes * 60_000;
  return next > now ? next : undefined;
}

/**
 * A status from the server (or the local expiry) for the request shown: the words follow a change
 * (unless an interval refusal is on show), a burnt OTP tells when the next request can be made, and
 * a settled request without a code sent frees the address field.
 */
export function statusRead(state: LockState, answer: OtpRequestState, policy: ClientPolicy, w: Words, now: number): LockState {
  const known = state.request;
  const request = readStatus(answer, now);
  const changed = request.status !== known?.status || known.expiresAt === undefined;
  const nextRequestAt = request.status === 'burnt' && changed ? nextRequestAfter(request, policy, now) : undefined;
  let next = nextState(state, { request, ...(nextRequestAt !== undefined ? { nextRequestAt } : {}) }, [], now);
  if (changed && !showsInterval(next)) next = withNotice(next, requestNotice(next, w), now);
  // A code was sent to this address (used, burnt, expired): it stays shown. Denied, lapsed, cancelled: the field is free again.
  const codeWasSent = request.status === 'used' || request.status === 'burnt' || (request.status === 'expired' && !lapsed(request));
  if (settledStatus(request.status) && !codeWasSent) next = nextState(next, {}, ['email'], now);
  return next;
}

/** The server does not know the request (any more): the lock forgets it. */
export function requestGone(state: LockState, now: number): LockState {
  return nextState(state, {}, ['request', 'email'], now);
}

/** Withdrawn: the request pop-up opens again with the address, editable, to correct. */
export function cancelled(state: LockState, email: string, w: Words, now: number): LockState {
  return nextState(state, { popup: 'request', notice: cancelledNotice(w, email) }, ['busy', 'request', 'email', 'nextRequestAt'], now);
}

export function resent(state: LockState, request: OtpRequestState, w: Words, now: number): LockState {
  return nextState(state, { request, email: request.email, popup: 'lock', notice: resentNotice(w, request.email) }, ['busy'], now);
}

/** The interval refused a new request: when the next one can be made, and the way that is never refused (emergency access). */
export function intervalRefused(state: LockState, retryAfterSeconds: number | undefined, w: Words, now: number): LockState {
  const nextRequestAt = now + (retryAfterSeconds ?? 60) * 1000;
  const next = nextState(state, { nextRequestAt }, ['busy'], now);
  return withNotice(next, intervalNotice(w, nextRequestAt, now, next.canResend), now);
}

/** The interval refusal on show, its minutes counted again at `now`; any other state is returned as it is. */
export function intervalTick(state: LockState, w: Words, now: number): LockState {
  if (!showsInterval(state)) return state;
  return withNotice(state, intervalNotice(w, state.nextRequestAt ?? now, now, state.canResend), now);
}

/**
 * The request pop-up: a new request known to be refused by the interval (a burnt OTP issued within
 * it) says so at once, with emergency access, instead of letting Request run into the refusal.
 */
export function requestPopup(state: LockState, w: Words, now: number): LockState {
  const next = nextState(state, { popup: 'request' }, [], now);
  if (next.nextRequestAt !== undefined && next.nextRequestAt > now) {
    return withNotice(next, intervalNotice(w, next.nextRequestAt, now, next.canResend), now);
  }
  return showsInterval(next) ? next : withNotice(next, undefined, now);
}

/** Back to the lock pop-up: the request's own words again (none while an interval refusal was on show). */
export function lockPopup(state: LockState, w: Words, now: number): LockState {
  const notice = showsInterval(state) ? undefined : requestNotice(state, w);
  return withNotice(nextState(state, { popup: 'lock' }, [], now), notice, now);
}

/** A refused code: why, once the request's status (and the attempts left) is known. */
export function accessDenied(state: LockState, w: Words, now: number): LockState {
  return nextState(state, { notice: accessDeniedBecause(w, state.request, state.nextRequestAt) }, ['busy'], now);
}

/** A verify answer the lock does not trust: it stays locked and says so. */
export function verdictRefused(state: LockState, refusal: VerdictFailureReason, w: Words, now: number): LockState {
  return nextState(state, { notice: verdictNotice(w, refusal) }, ['busy'], now);
}

/** What is wrong with a request's input before the server is asked, in the lock's words; undefined: nothing. */
export function checkRequestInput(input: RequestOtpInput, policy: ClientPolicy, w: Words): Notice | undefined {
  if (!policy.allowOneTimePasswords) return errorNotice(w, 'otp_not_allowed');
  if (!allowedRequestMethods(policy).has(input.method)) return errorNotice(w, 'method_not_allowed');
  if (input.method === 'email' || input.method === 'emergency') {
    const email = input.email?.trim() ?? '';
    if (!email) return inputNotice(w, 'email_missing');
    if (!isValidEmail(email)) return inputNotice(w, 'email_invalid');
    if (input.reason && !isSafeMultilineText(input.reason)) return inputNotice(w, 'reason_invalid');
  }
  if (input.method === 'internal') {
    if (!input.login?.trim()) return inputNotice(w, 'login_missing');
    if (!isValidLoginName(input.login.trim())) return errorNotice(w, 'invalid_credentials');
    if (!input.password) return inputNotice(w, 'password_missing');
  }
  return undefined;
}

/** The body of a checked request (checkRequestInput). */
export function requestBody(
  input: RequestOtpInput,
  from: { osUser: string; relockOf: string | undefined; locale: string },
): OtpRequestBody {
  const body: OtpRequestBody = { osUser: from.osUser, method: input.method };
  if (input.method === 'email' || input.method === 'emergency') body.email = input.email!.trim();
  if (input.method === 'emergency' && input.reason?.trim()) body.reason = input.reason.trim();
  if (from.relockOf) body.relockOf = from.relockOf;
  body.locale = from.locale;
  if (input.method === 'internal') {
    body.login = input.login!.trim();
    body.password = input.password!;
  }
  return body;
}

/** The address (the request's, else the one typed) and the code without spaces and dashes; or what is wrong with them. */
export function checkVerifyInput(state: LockState, input: VerifyInput, w: Words): { email: string; otp: string } | { problem: Notice } {
  const email = (state.email ?? input.email).trim();
  const otp = input.otp.replace(/[\s-]/g, '');
  if (!email) return { problem: inputNotice(w, 'email_missing') };
  if (!isValidEmail(email)) return { problem: inputNotice(w, 'email_invalid') };
  if (!new RegExp(`^[0-9]{${state.otpLength}}$`).test(otp)) return { problem: inputNotice(w, 'otp_format', { length: state.otpLength }) };
  return { email, otp };
}

import type { ClientPolicy, LockState, Notice, RequestMode } from '@latchkey/contracts';

/**
 * The lock's state changes that need nothing but the state: pure functions the controller applies
 * and publishes, tested on their own.
 */

/** `patch` over `state`, `remove` taken away; Resend follows the request (sent and not expired at `now`). */
export function nextState(state: LockState, patch: Partial<LockState>, remove: readonly (keyof LockState)[], now: number): LockState {
  const next: LockState = { ...state, ...patch };
  for (const key of remove) delete next[key];
  const request = next.request;
  next.canResend = !!request && request.status === 'sent' && (request.expiresAt === undefined || request.expiresAt > now);
  return next;
}

export function requestModeOf(policy: ClientPolicy): RequestMode {
  if (policy.autoSendToDirectoryUsers) return 'directory';
  if (policy.autoSendToInternalUsers) return 'internal';
  return 'email';
}

/** Both automatic options on: the directory form comes first, and may switch to the internal login. */
export function alternativeModeOf(policy: ClientPolicy): RequestMode | undefined {
  return policy.autoSendToDirectoryUsers && policy.autoSendToInternalUsers ? 'internal' : undefined;
}

/** What the policy decides of the state: the request form, the company's words ('' leaves the built-in ones). */
export function withPolicy(state: LockState, policy: ClientPolicy, now: number): LockState {
  const alternative = alternativeModeOf(policy);
  const words = { lockTitle: policy.lockTitle, lockMessage: policy.lockMessage, helpdeskContact: policy.helpdeskContact };
  const absent = (Object.keys(words) as (keyof typeof words)[]).filter((key) => !words[key]);
  return nextState(
    state,
    {
      ...Object.fromEntries(Object.entries(words).filter(([, v]) => v)),
      requestMode: requestModeOf(policy),
      ...(alternative ? { alternativeMode: alternative } : {}),
      otpAllowed: policy.allowOneTimePasswords,
      otpLength: policy.otpLength,
      ...(policy.computerName ? { computerName: policy.computerName } : {}),
    },
    [...absent, ...(alternative ? [] : (['alternativeMode'] as const))],
    now,
  );
}

/** An interval refusal is on show: status changes do not replace it (the person is reading how long to wait). */
export function showsInterval(state: LockState): boolean {
  return state.notice?.code === 'otp_interval';
}

/** A state change as the flows hand it to the controller: the state and the time in, the next state out. */
export type Change = (state: LockState, now: number) => LockState;

/** `notice` shown; undefined: none. */
export function withNotice(state: LockState, notice: Notice | undefined, now: number): LockState {
  return notice ? nextState(state, { notice }, [], now) : nextState(state, {}, ['notice'], now);
}

/** Busy with `busy` (a call under way); undefined: done. */
export function withBusy(state: LockState, busy: LockState['busy'], now: number): LockState {
  return busy ? nextState(state, { busy }, [], now) : nextState(state, {}, ['busy'], now);
}

/** The server answered the policy call: locked (no longer offline), the retry countdown gone. */
export function online(state: LockState, now: number): LockState {
  const next = nextState(state, { phase: 'locked' }, ['busy', 'retry'], now);
  // The words about the outage go with it (an answer while locked already leaves any notice as it is).
  return state.phase !== 'locked' && state.notice?.code === 'server_unreachable' ? withNotice(next, undefined, now) : next;
}

/** The server cannot be reached: offline, `notice` saying so, the next attempt at `retry.at`. */
export function offline(state: LockState, retry: NonNullable<LockState['retry']>, notice: Notice, now: number): LockState {
  return nextState(state, { phase: 'offline', retry, notice }, [], now);
}

/** Open, for `email` (''): nothing of the lock's questions and calls is left. */
export function unlocked(state: LockState, email: string, now: number): LockState {
  return nextState(state, { phase: 'unlocked', email }, ['busy', 'notice', 'retry', 'nextRequestAt', 'offline'], now);
}

/** Locked again over an open session: a fresh lock pop-up saying why, no request of its own yet. */
export function relocked(state: LockState, notice: Notice, now: number): LockState {
  return nextState(state, { phase: 'locked', popup: 'lock', notice }, ['request', 'email', 'busy', 'retry', 'nextRequestAt'], now);
}

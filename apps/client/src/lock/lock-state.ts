import type { ClientPolicy, LockState, RequestMode } from '@latchkey/contracts';

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

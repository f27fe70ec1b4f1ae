import type { LockState } from '@latchkey/contracts';

/** A lock state to start pure state changes from: locked, the email form, nothing asked yet. */
export const LOCKED: LockState = {
  phase: 'locked',
  popup: 'lock',
  osUser: 'CORP\\alice',
  locale: 'en',
  requestMode: 'email',
  otpAllowed: true,
  otpLength: 8,
  canResend: false,
};

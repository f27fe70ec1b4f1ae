import type { RequestStatus, SessionState } from '@latchkey/contracts';

/** What each request status means, in words (filters and tags never show the raw code). */
export const REQUEST_STATUS_WORDS: Record<RequestStatus, string> = {
  pending: 'Waiting for a decision',
  sent: 'Password sent',
  denied: 'Denied',
  expired: 'Expired',
  used: 'Used to unlock',
  superseded: 'Replaced by a newer request',
  burnt: 'Blocked after wrong codes',
  cancelled: 'Cancelled on the computer',
};

/** How a request was made. */
export const METHOD_WORDS: Record<string, string> = {
  email: 'Email',
  emergency: 'Emergency',
  directory: 'Directory',
  internal: 'Internal login',
  generated: 'Generated',
  otp: 'One-time password',
  offline: 'Offline unlock',
};

export const methodWords = (method: string): string => METHOD_WORDS[method] ?? method;

/** A session's state: `not_responding` is an open session whose computer missed 3 heartbeats. */
export const SESSION_STATE_WORDS: Record<SessionState, string> = {
  active: 'Active',
  not_responding: 'Not responding',
  ended: 'Ended',
};

import { ApiError, type OtpRequestState, type RequestStatus } from '@latchkey/contracts';

/**
 * Reading the server's answers about a request for the person at the lock. Kept apart from the flows so the
 * rules about what a status means are in one small place.
 */

/** Statuses after which this request will not change any more. */
export function settledStatus(status: RequestStatus): boolean {
  return status !== 'pending' && status !== 'sent';
}

/** How far before its expiry an "expired" OTP must be to be read as burnt (clocks of server and PC differ). */
const CLOCK_MARGIN_MS = 60_000;

/**
 * A server from before `burnt` was reported reads a burnt OTP as `expired` while its time is not up:
 * that is shown as burnt, so the person learns that even the right code no longer works.
 */
export function readStatus(request: OtpRequestState, now: number): OtpRequestState {
  if (request.status === 'expired' && request.expiresAt !== undefined && request.expiresAt > now + CLOCK_MARGIN_MS) {
    return { ...request, status: 'burnt' };
  }
  return request;
}

/** A pending request that lapsed has no OTP (and no expiresAt): it is not "an expired password". */
export function lapsed(request: OtpRequestState): boolean {
  return request.status === 'expired' && request.expiresAt === undefined;
}

/** A failure that means "no usable answer from the server" rather than "the server said no". */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 0 || err.status === 502 || err.status === 504) return true;
  // A 5xx that names a cause the person can act on (directory_unavailable) is shown as such.
  return err.status >= 500 && (err.code === 'bad_response' || err.code === 'internal_error' || err.code === 'service_unavailable');
}

import type { RequestStatus } from '@latchkey/contracts';

export interface StatusFields {
  status: 'pending' | 'sent' | 'denied' | 'used' | 'superseded' | 'burnt' | 'cancelled';
  expiresAt: number;
  failedAttempts: number;
}

/** Expiry is not stored: a pending request or an issued OTP past its time (or burnt) reads as expired. */
export function effectiveStatus(row: StatusFields, now: number, maxVerifyAttempts: number): RequestStatus {
  if (row.status === 'pending' && now >= row.expiresAt) return 'expired';
  if (row.status === 'sent' && (now >= row.expiresAt || row.failedAttempts >= maxVerifyAttempts)) return 'expired';
  return row.status;
}

/** The same rule in SQL, for lists filtered by status. Expects @now and @maxAttempts. */
export const EFFECTIVE_STATUS_SQL = `CASE
  WHEN r.status = 'pending' AND r.expires_at <= @now THEN 'expired'
  WHEN r.status = 'sent' AND (r.expires_at <= @now OR r.failed_attempts >= @maxAttempts) THEN 'expired'
  ELSE r.status END`;

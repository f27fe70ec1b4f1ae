import type { Clock } from '../clock.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { ClientStore } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { OtpRefusal } from './otp-refusal.js';

export type IssuePolicy = ReturnType<typeof createIssuePolicy>;

/** When a Client may be issued, or may ask for, a new one-time password. Reads only; refusals are values. */
export function createIssuePolicy(deps: { clock: Clock; settings: SettingsStore; clients: ClientStore; sessions: SessionStore }) {
  const { clock, settings, clients, sessions } = deps;
  return {
    /**
     * A request that names a re-locked session (`relockOf`) is not refused by the interval once per
     * session (docs/client.md, "The interval rule and a re-lock"): the session whose allowance it
     * may use, or undefined when the interval applies as always.
     */
    relockAllowance(clientId: string, input: { osUser: string; email: string; relockOf?: string | undefined }): string | undefined {
      if (!input.relockOf) return undefined;
      return sessions.unusedRelockAllowance({ sessionId: input.relockOf, clientId, osUser: input.osUser, email: input.email });
    },

    /** Refused (`otp_interval`) when this Client was issued an OTP less than the interval ago. */
    checkInterval(clientId: string): OtpRefusal | undefined {
      const intervalMs = settings.get().otpRequestIntervalMinutes * 60_000;
      const last = clients.lastOtpIssuedAt(clientId);
      if (last === null || intervalMs === 0) return undefined;
      const waitMs = last + intervalMs - clock.now();
      return waitMs > 0 ? { refused: 'otp_interval', retryAfterSeconds: Math.ceil(waitMs / 1000) } : undefined;
    },
  };
}

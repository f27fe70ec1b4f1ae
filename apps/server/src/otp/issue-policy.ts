import type { Clock } from '../clock.js';
import type { Work } from '../db/engine.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { ClientRow, ClientStore } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { Refusal } from '../refusal.js';
import type { RequestStore } from './request-store.js';
import { isLinkedAccount } from '../users/windows-accounts.js';

/** Access requests one Client may have waiting at once (each for another osUser: a newer one supersedes). */
export const MAX_OPEN_REQUESTS = 5;

/** At most one new-request notice per staff member in this time. */
export const STAFF_NOTICE_INTERVAL_MS = 60_000;

/** How often one issued OTP may be mailed again. */
export const RESEND_LIMIT = 3;

/**
 * Whether `email` reaches the mailbox of `ownEmail`: compared without case, and with a `+tag` on the
 * local part dropped (`hank+cfo@corp.example.com` is delivered to `hank@corp.example.com`).
 */
export function isOwnMailbox(email: string, ownEmail: string): boolean {
  if (ownEmail === '') return false;
  return mailbox(email) === mailbox(ownEmail);
}

function mailbox(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus === -1 ? local : local.slice(0, plus)}${email.slice(at)}`.toLowerCase();
}

export type IssuePolicy = ReturnType<typeof createIssuePolicy>;

/** When a Client may be issued, or may ask for, a new one-time password. Reads only; refusals are values. */
export function createIssuePolicy(deps: {
  clock: Clock;
  settings: SettingsStore;
  clients: ClientStore;
  sessions: SessionStore;
  requests: RequestStore;
}) {
  const { clock, settings, clients, sessions, requests } = deps;
  return {
    /**
     * A request that names a re-locked session (`relockOf`) is not refused by the interval once per
     * session (docs/client.md, "The interval rule and a re-lock"): the session whose allowance it
     * may use, or undefined when the interval applies as always.
     */
    *relockAllowance(clientId: string, input: { osUser: string; email: string; relockOf?: string | undefined }): Work<string | undefined> {
      if (!input.relockOf) return undefined;
      return yield* sessions.unusedRelockAllowance({ sessionId: input.relockOf, clientId, osUser: input.osUser, email: input.email });
    },

    /**
     * A request the interval would refuse is not refused when this Client and osUser cancelled the
     * sent OTP the interval runs from ("Wrong address?"), once per cancelled OTP: that OTP, or undefined.
     */
    *intervalWaiver(clientId: string, osUser: string): Work<string | undefined> {
      return yield* requests.intervalWaiver(clientId, osUser);
    },

    /**
     * Refused (`otp_interval`) when this Client was issued an OTP less than the interval ago. A
     * computer's shared Client (machine, or a guard's per-user tokens) counts per osUser, so one user
     * of a shared computer cannot use up another's; a profile's lock is one user's anyway.
     */
    *checkInterval(client: ClientRow, osUser: string): Work<Refusal | undefined> {
      const intervalMs = settings.get().otpRequestIntervalMinutes * 60_000;
      const last = client.role === 'lock' ? yield* clients.lastOtpIssuedAt(client.id) : yield* requests.lastIssuedAt(client.id, osUser);
      if (last === null || intervalMs === 0) return undefined;
      const waitMs = last + intervalMs - clock.now();
      return waitMs > 0 ? { refused: 'otp_interval', retryAfterSeconds: Math.ceil(waitMs / 1000) } : undefined;
    },

    /** The `internal` method: refused (`account_not_linked`) unless the osUser is the user's own Windows account. */
    checkAccountLink(osUser: string, user: { login: string; windowsAccounts: readonly string[] }): Refusal | undefined {
      return isLinkedAccount(osUser, user) ? undefined : { refused: 'account_not_linked' };
    },

    /**
     * A new access request supersedes the pending one of the same Client and osUser, so it is refused
     * (`too_many_open_requests`) only when the Client has as many waiting for other osUsers as allowed.
     * A computer's shared Client counts per osUser: each user has at most the one open request a new
     * one supersedes, and other users' requests never count against it (a per-user token names only
     * its own osUser; the machine token is for SYSTEM and Administrators).
     */
    *checkOpenRequests(client: ClientRow, osUser: string): Work<Refusal | undefined> {
      if (client.role !== 'lock') return undefined;
      return (yield* requests.countOpen(client.id, osUser)) >= MAX_OPEN_REQUESTS ? { refused: 'too_many_open_requests' } : undefined;
    },

    /** Email and emergency requests and Generate Password: only to `allowedEmailDomains`, when any are set. */
    checkEmailDomain(email: string): Refusal | undefined {
      const allowed = settings.get().allowedEmailDomains;
      if (allowed.length === 0) return undefined;
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
      return allowed.some((d) => d.toLowerCase() === domain) ? undefined : { refused: 'email_domain_not_allowed' };
    },

    /**
     * An approver never approves, nor generates, an OTP mailed to their own mailbox (`self_approval`).
     */
    checkApprover(requestEmail: string, approver: { email: string }): Refusal | undefined {
      return isOwnMailbox(requestEmail, approver.email) ? { refused: 'self_approval' } : undefined;
    },
  };
}

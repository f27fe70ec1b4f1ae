import type { RouteAuth } from '@latchkey/contracts';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import type { GroupCommit } from './db/group-commit.js';
import type { SettingsStore } from './settings/settings-store.js';
import type { AuditLog } from './audit/audit-log.js';
import type { ClientRow, ClientStore } from './clients/client-store.js';
import type { ClientRemoval } from './clients/client-removal.js';
import type { UserTokens } from './clients/user-tokens.js';
import type { UserService } from './users/user-service.js';
import type { AdminIdentity, AdminSessions } from './users/admin-sessions.js';
import type { OtpService } from './otp/otp-service.js';
import type { SessionStore } from './sessions/session-store.js';
import type { SessionRelock } from './sessions/session-relock.js';
import type { ActivityStore } from './activity/activity-store.js';
import type { MailQueue } from './mail/mail-queue.js';
import type { LockoutStore } from './otp/lockout-store.js';
import type { Directory } from './directory/index.js';
import type { OfflineUnlocks } from './offline/offline-unlocks.js';
import type { RequestWatch } from './otp/request-watch.js';
import type { SigningKey } from './crypto/signing-key.js';
import type { Readiness } from './health/readiness.js';
import type { AddressBudgets } from './plugins/rate-limits.js';
import type { LockDecisions } from './settings/lock-decision.js';

export type Identity = { kind: 'client'; client: ClientRow } | { kind: 'admin'; admin: AdminIdentity; viaCookie: boolean };

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    clock: Clock;
    db: Db;
    /** Durable writes of hot routes, committed in groups (one fsync per group). */
    writes: GroupCommit;
    enrollmentKey: string;
    settings: SettingsStore;
    audit: AuditLog;
    clients: ClientStore;
    clientRemoval: ClientRemoval;
    /** Per-user tokens (v1.2): a token of a Client that acts for one osUser. */
    userTokens: UserTokens;
    users: UserService;
    adminSessions: AdminSessions;
    otp: OtpService;
    sessions: SessionStore;
    /** Re-locks known to the server (v1.2). */
    sessionRelock: SessionRelock;
    /** Session activity events (the seed's step 7). */
    activity: ActivityStore;
    lockouts: LockoutStore;
    mail: MailQueue;
    offlineUnlocks: OfflineUnlocks;
    /** Signs unlock verdicts and the guard's answers; the private half never leaves the data dir. */
    signingKey: SigningKey;
    /** Undefined when no directory is configured. */
    directory: Directory | undefined;
    /** Wakes held status long-polls when a request is decided or cancelled. */
    requestWatch: RequestWatch;
    readiness: Readiness;
    /** Per-address budgets that handlers spend (openapi.json, wrong metrics tokens, enrollment). */
    budgets: AddressBudgets;
    /** Whether a logon must be unlocked (exempt accounts and groups, logon kinds). */
    lockDecisions: LockDecisions;
  }
  interface FastifyRequest {
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

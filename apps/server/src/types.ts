import type { RouteAuth } from '@latchkey/contracts';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import type { GroupCommit } from './db/group-commit.js';
import type { Engine } from './db/engine.js';
import type { Bound } from './db/bind.js';
import type { SettingsService, SettingsStore } from './settings/settings-store.js';
import type { AuditStore } from './audit/audit-log.js';
import type { ClientRow, ClientStore } from './clients/client-store.js';
import type { ClientService } from './clients/client-service.js';
import type { UserService } from './users/user-service.js';
import type { AdminIdentity } from './users/admin-sessions.js';
import type { OtpService } from './otp/otp-service.js';
import type { RequestStore } from './otp/request-store.js';
import type { SessionStore } from './sessions/session-store.js';
import type { SessionService } from './sessions/session-service.js';
import type { ActivityStore } from './activity/activity-store.js';
import type { MailQueue } from './mail/mail-queue.js';
import type { LockoutStore } from './otp/lockout-store.js';
import type { Directory } from './directory/index.js';
import type { DirectoryEmail } from './directory/directory-email.js';
import type { RequestOtp } from './otp/request-methods.js';
import type { OfflineUnlocks } from './offline/offline-unlocks.js';
import type { RequestWatch } from './otp/request-watch.js';
import type { SigningKey } from './crypto/signing-key.js';
import type { ThreadPool } from './crypto/thread-pool.js';
import type { ServerKeys } from './crypto/secret-key.js';
import type { Readiness } from './health/readiness.js';
import type { AddressBudgets } from './plugins/rate-limits.js';
import type { LockDecisions } from './settings/lock-decision.js';

export type Identity = { kind: 'client'; client: ClientRow } | { kind: 'admin'; admin: AdminIdentity; viaCookie: boolean };

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    clock: Clock;
    /** The storage engine every store runs on: SQLite (the embedded default) or PostgreSQL. */
    engine: Engine;
    /** SQLite only (undefined on PostgreSQL): the database file, for the checks that are SQLite's own. */
    db: Db | undefined;
    /** SQLite only: writes committed in groups (one fsync per group). */
    writes: GroupCommit | undefined;
    /** The stores, for plugins that compose them into a write of their own. */
    stores: {
      audit: AuditStore;
      clients: ClientStore;
      sessions: SessionStore;
      requests: RequestStore;
      lockouts: LockoutStore;
      activity: ActivityStore;
      settings: SettingsStore;
    };
    enrollmentKey: string;
    /** Derived from the secret key: the OTP HMAC key and the sealing key. */
    keys: ServerKeys;
    settings: SettingsService;
    audit: Bound<AuditStore>;
    /** Enrollment, tokens (per-user tokens too), the OTP switch and removal. */
    clients: ClientService;
    users: UserService;
    adminSessions: { idleTimeoutMs: number; resolve(token: string): Promise<AdminIdentity | undefined> };
    otp: OtpService;
    /** POST /otp/requests by method (otp/request-methods.ts). */
    requestOtp: RequestOtp;
    /** Heartbeats, activity, sign-out, re-lock (v1.2) and refused verdicts; the console's list. */
    sessions: SessionService;
    mail: MailQueue;
    offlineUnlocks: OfflineUnlocks;
    /** The gauge of libuv's thread pool: password checks and signatures run on it (crypto/thread-pool.ts). */
    threadPool: ThreadPool;
    /** Signs unlock verdicts and the guard's answers; the private half never leaves the data dir. */
    signingKey: SigningKey;
    /** Undefined when no directory is configured. */
    directory: Directory | undefined;
    /** The `directory` method's email for an osUser, audited (directory/directory-email.ts). */
    directoryEmail: DirectoryEmail;
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

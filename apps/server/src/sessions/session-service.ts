import type { ActivityEvent, AdminSession, VerdictFailure } from '@latchkey/contracts';
import { READ_COMMITTED, type Engine } from '../db/engine.js';
import type { AuditStore } from '../audit/audit-log.js';
import type { ActivityStore } from '../activity/activity-store.js';
import type { ClientRow, TokenHolder } from '../clients/client-store.js';
import type { Refusal } from '../refusal.js';
import type { SessionStore } from './session-store.js';

export type SessionService = ReturnType<typeof createSessionService>;

const REASON_TEXT = {
  missing: 'the answer had no verdict',
  invalid_signature: 'the verdict did not verify against the pinned server key (forged, replayed or signed by another key)',
  stale: 'the verdict was signed outside the allowed time window',
  no_pinned_key: 'the Client knows no server key to check the verdict with',
  key_mismatch: 'the enroll answer named a server key other than the pinned one',
} as const;

/**
 * Unlocked sessions as the Clients report them (heartbeats, activity, sign-out, re-lock, refused
 * verdicts) and as the console lists them. Each change is audited in its transaction; refusals are
 * returned, routes map them to HTTP.
 */
export function createSessionService(deps: { engine: Engine; sessions: SessionStore; activity: ActivityStore; audit: AuditStore }) {
  const { engine, sessions, activity, audit } = deps;

  return {
    /**
     * Hot path (every Client, every minute): joins the next group commit. READ COMMITTED on
     * PostgreSQL (as the activity batches): one guarded UPDATE of the session's own row.
     */
    heartbeat: (holder: TokenHolder, sessionId: string): Promise<Refusal | undefined> =>
      engine.write(() => sessions.heartbeat(holder, sessionId), READ_COMMITTED),

    /** Hot path: the batch joins the next group commit, one transaction for many Clients. */
    appendActivity: (holder: TokenHolder, sessionId: string, events: readonly ActivityEvent[]): Promise<number | Refusal> =>
      engine.write(() => activity.append(holder, sessionId, events), READ_COMMITTED),

    end: (client: ClientRow, sessionId: string): Promise<Refusal | undefined> =>
      engine.write(function* () {
        const ended = yield* sessions.end(client, sessionId);
        if (typeof ended !== 'boolean') return ended;
        if (ended) {
          yield* audit.record({
            type: 'session.ended',
            clientId: client.id,
            computerName: client.computerName,
            detail: `session ${sessionId}`,
          });
        }
        return undefined;
      }),

    /** POST /sessions/:id/relock: the session is locked from now on, audited in the same transaction. */
    relock: (caller: ClientRow, sessionId: string): Promise<Refusal | undefined> =>
      engine.write(function* () {
        const relocked = yield* sessions.relock(caller, sessionId);
        if (typeof relocked !== 'boolean') return relocked;
        if (relocked) {
          yield* audit.record({
            type: 'session.relocked',
            clientId: caller.id,
            computerName: caller.computerName,
            ...(caller.forOsUser === undefined ? {} : { osUser: caller.forOsUser }),
            detail: `session ${sessionId}, reported by the ${caller.forOsUser === undefined ? caller.role : 'per-user'} token`,
          });
        }
        return undefined;
      }),

    /** Answers the Client refused (forged, stale, unverifiable): each audited; the session one named, ended. */
    reportVerdictFailures: (client: ClientRow, failures: readonly VerdictFailure[]): Promise<void> =>
      engine.write(function* () {
        for (const failure of failures) {
          // The session named by a refused answer is not one the person got into: end it.
          const ended = failure.sessionId !== undefined && (yield* sessions.endIfOwned(client, failure.sessionId));
          yield* audit.record({
            type: 'client.verdict_failed',
            clientId: client.id,
            computerName: client.computerName,
            osUser: failure.osUser,
            detail:
              `${REASON_TEXT[failure.reason]}; the desktop stayed locked (reported for ${new Date(failure.at).toISOString()})` +
              (ended ? `; session ${failure.sessionId} ended` : ''),
          });
        }
      }),

    unlockedOn: (computerName: string, seenSince: number) => engine.read(() => sessions.unlockedOn(computerName, seenSince)),
    list: (query: { q?: string; active?: boolean; limit: number; offset: number }): Promise<AdminSession[]> =>
      engine.read(() => sessions.list(query)),
    activity: (sessionId: string): Promise<ActivityEvent[] | undefined> => engine.read(() => activity.list(sessionId)),
  };
}

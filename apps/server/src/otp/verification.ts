import type { SessionVia } from '@latchkey/contracts';
import type { Work } from '../db/engine.js';
import type { ServerKeys } from '../crypto/secret-key.js';
import type { AuditStore } from '../audit/audit-log.js';
import type { ClientRow } from '../clients/client-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { RequestStore } from './request-store.js';
import { VERIFY_LOCK_THRESHOLD, type LockoutStore } from './lockout-store.js';
import { otpMatches } from './otp-code.js';

export type VerifyOutcome =
  { allowed: true; sessionId: string; requestId: string; via: SessionVia } | { allowed: false; reason: FailureReason };

type FailureReason = 'otp_not_allowed' | 'locked' | 'no_match' | 'lost_race';
const FAILURE_DETAIL: Record<FailureReason, string> = {
  otp_not_allowed: 'one-time passwords are not allowed on this computer',
  locked: 'user locked after repeated failures',
  no_match: 'no live one-time password matched',
  lost_race: 'the one-time password was used by a concurrent verification',
};

export type Verification = ReturnType<typeof createVerification>;

/**
 * Verification and its failure counters: a wrong code counts against every live OTP of that user
 * (the request store's `failed_attempts`) and against the Client and osUser pair (the lockout store).
 */
export function createVerification(deps: {
  keys: ServerKeys;
  audit: AuditStore;
  requests: RequestStore;
  lockouts: LockoutStore;
  sessions: SessionStore;
}) {
  const { keys, audit, requests, lockouts, sessions } = deps;

  return {
    /** Allows access only for a live OTP of this Client, osUser and email; success consumes it in one statement. */
    *verify(client: ClientRow, input: { osUser: string; email: string; otp: string }): Work<VerifyOutcome> {
      const wasLocked = yield* lockouts.isLocked(client.id, input.osUser);
      const auditBase = { clientId: client.id, computerName: client.computerName, osUser: input.osUser, email: input.email };
      function* fail(reason: FailureReason, candidateIds: string[]): Work<VerifyOutcome> {
        for (const id of candidateIds) {
          if (yield* requests.countFailedAttempt(id))
            yield* audit.record({ type: 'otp.burnt', ...auditBase, requestId: id, detail: 'too many wrong codes' });
        }
        const lockedNow = yield* lockouts.countFailure(client.id, input.osUser);
        yield* audit.record({ type: 'otp.verify_failed', ...auditBase, detail: FAILURE_DETAIL[reason] });
        if (lockedNow && !wasLocked) {
          yield* audit.record({ type: 'otp.verify_locked', ...auditBase, detail: `${VERIFY_LOCK_THRESHOLD} consecutive failures` });
        }
        return { allowed: false, reason };
      }
      if (!client.allowOtp) return yield* fail('otp_not_allowed', []);
      if (wasLocked) return yield* fail('locked', []);

      const candidates = yield* requests.liveOtps(client.id, input.osUser, input.email);
      const match = candidates.find((c) => otpMatches(keys.otpHash, c.id, input.otp, c.otpHash));
      if (!match)
        return yield* fail(
          'no_match',
          candidates.map((c) => c.id),
        );
      if (!(yield* requests.consume(match.id))) return yield* fail('lost_race', []);

      const via: SessionVia = match.method === 'emergency' ? 'emergency' : match.method === 'generated' ? 'generated' : 'otp';
      const sessionId = yield* sessions.start({ clientId: client.id, requestId: match.id, osUser: input.osUser, email: input.email, via });
      yield* lockouts.clear(client.id, input.osUser);
      const replaced = yield* sessions.endReplacedBy(match.id);
      yield* audit.record({
        type: 'otp.verified',
        ...auditBase,
        requestId: match.id,
        detail: `session ${sessionId} via ${via}${replaced ? `, replacing re-locked session ${replaced}` : ''}`,
      });
      return { allowed: true, sessionId, requestId: match.id, via };
    },
  };
}

import type { ExemptReason, LockDecision, LockDecisionBody } from '@latchkey/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { AuditStore } from '../audit/audit-log.js';
import type { ClientRow } from '../clients/client-store.js';
import type { Engine } from '../db/engine.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { SigningKey } from '../crypto/signing-key.js';
import { signVerdict } from '../crypto/verdicts.js';
import { DirectoryUnavailableError, type Directory, type GroupMembership } from '../directory/index.js';
import type { SettingsStore } from './settings-store.js';
import { exemptAccountMatch, locksLogonKind } from './lock-scope.js';

/** How long a directory answer about one account's groups is reused (a logon storm asks once). */
export const GROUP_CACHE_MS = 60_000;
const GROUP_CACHE_MAX = 10_000;

export type LockDecisions = ReturnType<typeof createLockDecisions>;

/**
 * `POST /api/v1/client/lock-decision`: whether a logon must be unlocked with an OTP. The cheap rules
 * first (the account, the logon kind, the Client's OTP switch), the directory groups last; a group
 * rule that cannot be answered within the directory timeout does not exempt, so the lock stays.
 */
export function createLockDecisions(deps: {
  clock: Clock;
  settings: SettingsStore;
  sessions: SessionStore;
  audit: AuditStore;
  engine: Engine;
  signingKey: SigningKey;
  directory: Directory | undefined;
  directoryTimeoutMs: number;
  log: FastifyBaseLogger;
}) {
  const { clock, settings, sessions, audit, engine, signingKey, directory, log } = deps;
  const cache = new Map<string, { at: number; answer: GroupMembership }>();

  /** Nested group membership, cached per account and group list; undefined when the directory did not answer in time. */
  async function groupMembership(osUser: string, groups: readonly string[]): Promise<GroupMembership | undefined> {
    if (!directory) return undefined;
    const key = `${osUser.normalize('NFC').toLowerCase()}\n${groups.join('\n')}`;
    const hit = cache.get(key);
    if (hit && clock.now() - hit.at < GROUP_CACHE_MS) return hit.answer;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), deps.directoryTimeoutMs);
    });
    try {
      const answer = await Promise.race([directory.memberOfAny(osUser, groups), deadline]);
      if (answer === undefined) {
        log.warn('directory groups not answered within the directory timeout; the lock stays');
        return undefined;
      }
      if (cache.size >= GROUP_CACHE_MAX) cache.clear();
      cache.set(key, { at: clock.now(), answer });
      return answer;
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      log.warn({ reason: err.message }, 'directory unavailable for exempt groups; the lock stays');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async function exemption(client: ClientRow, body: LockDecisionBody): Promise<{ reason: ExemptReason; detail: string } | undefined> {
    const current = settings.get();
    const account = exemptAccountMatch(current.exemptAccounts, body.osUser, client.computerName);
    if (account !== undefined) return { reason: 'exempt_account', detail: `exempt account "${account}"` };
    if (!locksLogonKind(current, body.logonKind)) {
      return {
        reason: 'logon_kind',
        detail: `${body.logonKind} logons are not locked (lock${body.logonKind === 'local' ? 'Local' : 'Remote'}Logons off)`,
      };
    }
    if (!client.allowOtp)
      return {
        reason: 'otp_disabled',
        detail: 'one-time passwords are not used on this computer ("Allow the use of one-time passwords" off)',
      };
    if (current.exemptDirectoryGroups.length === 0) return undefined;
    const membership = await groupMembership(body.osUser, current.exemptDirectoryGroups);
    if (membership?.kind === 'member')
      return { reason: 'exempt_group', detail: `member of the exempt directory group "${membership.group}"` };
    return undefined;
  }

  return {
    async decide(client: ClientRow, body: LockDecisionBody): Promise<LockDecision> {
      const exempt = await exemption(client, body);
      if (!exempt) return { lock: true, reason: 'required' };
      const sessionId = await engine.write(function* () {
        const id = yield* sessions.startExempt({ clientId: client.id, osUser: body.osUser, reason: exempt.reason });
        yield* audit.record({
          type: 'session.exempt',
          clientId: client.id,
          computerName: client.computerName,
          osUser: body.osUser,
          detail: `session ${id} left unlocked without a one-time password at a ${body.logonKind} logon: ${exempt.detail}`,
        });
        return id;
      });
      const verdict = await signVerdict(signingKey, clock, { clientId: client.id, osUser: body.osUser, nonce: body.nonce, sessionId });
      return { lock: false, reason: exempt.reason, sessionId, verdict };
    },
  };
}

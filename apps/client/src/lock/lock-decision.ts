import {
  ApiError,
  DEFAULT_POLICY,
  SCOPE_LIMITS,
  routes,
  type ApiClient,
  type ClientPolicy,
  type LogonKind,
  type Notice,
} from '@latchkey/contracts';
import type { VerdictHook } from './verdict.js';
import type { Words } from './messages.js';

/**
 * "Who must unlock, and when" for a lock without a guard: at start it asks the server
 * (`POST /api/v1/client/lock-decision`) with a fresh nonce, and opens only on a `lock: false`
 * answer whose verdict verifies like an unlock verdict (verdict.ts). Anything else keeps the lock.
 * With no server, only a local account (`.\name`) in the exemptAccounts of the policy this
 * computer holds stays open: the break-glass account for a computer cut off from the server.
 */

export interface DecisionHost {
  api: ApiClient;
  verdicts: VerdictHook;
  osUser: string;
  words: Words;
}

export type DecisionOutcome =
  | { kind: 'open'; sessionId: string }
  | { kind: 'lock' }
  /** The server said "no lock" without a valid signature: the lock stays, and says so. */
  | { kind: 'refused'; notice: Notice }
  | { kind: 'unreachable' };

export async function decideAtStart(host: DecisionHost, logonKind: LogonKind): Promise<DecisionOutcome> {
  const nonce = host.verdicts.nonce();
  let decision;
  try {
    decision = await host.api(routes.lockDecision, { body: { osUser: host.osUser, logonKind, nonce } });
  } catch (err) {
    // A server that answers but refuses (or does not know the route yet): locked, as always.
    return err instanceof ApiError && err.status !== 0 && err.status < 500 ? { kind: 'lock' } : { kind: 'unreachable' };
  }
  if (decision.lock) return { kind: 'lock' };
  const sessionId = decision.sessionId ?? '';
  const refused = await host.verdicts.refuse(
    { allowed: true, sessionId, ...(decision.verdict ? { verdict: decision.verdict } : {}) },
    host.osUser,
    nonce,
  );
  if (refused || !decision.sessionId) {
    void host.verdicts.report(host.api);
    return { kind: 'refused', notice: { kind: 'error', code: 'decision_invalid', text: host.words.t('notice.decisionInvalid') } };
  }
  return { kind: 'open', sessionId: decision.sessionId };
}

/**
 * Whether `osUser` is a local account of this computer listed as `.\name` in the policy's
 * exemptAccounts. A local account is `COMPUTER\name` with this computer's name, or a bare `name`.
 * Only the `.\name` form counts here: domain entries need the server (and its directory) to judge.
 */
export function localExemption(osUser: string, computerName: string | undefined, policy: ClientPolicy | undefined): boolean {
  if (!policy) return false;
  const fold = (text: string) => text.normalize('NFC').toLocaleLowerCase('en-US');
  const slash = osUser.indexOf('\\');
  const domain = slash >= 0 ? osUser.slice(0, slash) : undefined;
  const name = slash >= 0 ? osUser.slice(slash + 1) : osUser;
  const local = domain === undefined || domain === '.' || (computerName !== undefined && fold(domain) === fold(computerName));
  if (!local || !name) return false;
  return policy.exemptAccounts.some((entry) => entry.startsWith('.\\') && fold(entry.slice(2)) === fold(name));
}

/**
 * A kept policy read back from storage: the shipped defaults with the kept values that have the
 * right shape (a damaged file gives the defaults, which exempt nobody).
 */
export function keptPolicy(raw: unknown): ClientPolicy | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const value = raw as Partial<Record<keyof ClientPolicy, unknown>>;
  const text = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : '');
  const accounts = Array.isArray(value.exemptAccounts) ? value.exemptAccounts.filter((a): a is string => typeof a === 'string') : [];
  return {
    ...DEFAULT_POLICY,
    exemptAccounts: accounts.slice(0, SCOPE_LIMITS.exemptAccounts.maxItems),
    lockTitle: text(value.lockTitle, SCOPE_LIMITS.lockTitle.maxLength),
    lockMessage: text(value.lockMessage, SCOPE_LIMITS.lockMessage.maxLength),
    helpdeskContact: text(value.helpdeskContact, SCOPE_LIMITS.helpdeskContact.maxLength),
  };
}

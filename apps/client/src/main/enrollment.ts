import { routes, type ApiClient, type EnrollBody, type EnrollResult } from '@latchkey/contracts';
import type { Enrollment } from './token-store.js';

/** The enroll answer named another server key than the one the installer pinned. */
export class ServerKeyMismatchError extends Error {
  override name = 'ServerKeyMismatchError';
  constructor(
    readonly answered: string,
    readonly pinned: string,
  ) {
    super(`the server named key ${answered}, the machine configuration pins ${pinned}`);
  }
}

/**
 * Enrolls, refusing an answer whose `serverPublicKey` is not the pinned one: a proxy that answers
 * the enrollment itself would otherwise hand the Client a key it can sign forged verdicts with.
 */
export async function enrollPinned(api: ApiClient, body: EnrollBody, pinned: string | undefined): Promise<EnrollResult> {
  const answer = await api(routes.enroll, { body });
  if (pinned && answer.serverPublicKey !== pinned) throw new ServerKeyMismatchError(answer.serverPublicKey, pinned);
  return answer;
}

/**
 * The guard enrolls as a `guard` Client: the server lets it ask only for the signed unlocked
 * sessions, and the Clients list does not count it as a second computer of the same name.
 */
export async function enrollGuard(
  api: ApiClient,
  body: Omit<EnrollBody, 'role'>,
  pinned: string | undefined,
): Promise<Enrollment & { role: 'guard' }> {
  const { clientId, clientToken, serverPublicKey } = await enrollPinned(api, { ...body, role: 'guard' }, pinned);
  return { clientId, clientToken, serverPublicKey, role: 'guard' };
}

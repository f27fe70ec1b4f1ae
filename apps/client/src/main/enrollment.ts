import { routes, type ApiClient, type EnrollBody, type EnrollResult } from '@latchkey/contracts';

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

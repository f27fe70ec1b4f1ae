import { verdictMessage, type Verdict, type VerdictFields } from '@latchkey/contracts';
import type { Clock } from '../clock.js';
import type { SigningKey } from './signing-key.js';

/**
 * The verdict that lets a Client (and its guard) leave a session open: an unlock after verify and a
 * "no lock" lock-decision are signed the same way, over the same fields (docs/security.md, "Signed verdicts").
 */
export async function signVerdict(signingKey: SigningKey, clock: Clock, fields: Omit<VerdictFields, 'time'>): Promise<Verdict> {
  const time = clock.now();
  return { time, signature: await signingKey.sign(verdictMessage({ ...fields, time })) };
}

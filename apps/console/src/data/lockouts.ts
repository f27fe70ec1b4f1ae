import { routes } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync } from './use-async';

/** Who is locked out on which computer after too many wrong one-time passwords. */
export function useLockouts() {
  return useAsync((signal) => api(routes.listLockouts, {}, signal), []);
}

/** Lets `osUser` try one-time passwords on the computer again. */
export async function clearLockout(clientId: string, osUser: string): Promise<void> {
  await api(routes.clearLockout, { body: { clientId, osUser } });
}

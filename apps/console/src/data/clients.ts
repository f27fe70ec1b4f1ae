import { routes, type AdminClient } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync, type AsyncState } from './use-async';

/** The enrolled computers, loaded once, and the list sorted by name for a choice. */
export function useEnrolledClients(): { state: AsyncState<AdminClient[]>; sorted: AdminClient[] } {
  const state = useAsync((signal) => api(routes.listClients, {}, signal), []);
  const sorted = [...(state.data ?? [])].sort((a, b) => a.computerName.localeCompare(b.computerName));
  return { state, sorted };
}

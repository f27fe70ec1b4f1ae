import { routes, type AdminClient } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync, type AsyncState } from './use-async';

/** Computer names as people sort them: PC-1, PC-2, PC-10 (numbers by value), case ignored. */
export const computerNameOrder = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/** The enrolled computers, loaded once, and the list sorted naturally by name for a choice. */
export function useEnrolledClients(): { state: AsyncState<AdminClient[]>; sorted: AdminClient[] } {
  const state = useAsync((signal) => api(routes.listClients, {}, signal), []);
  const sorted = [...(state.data ?? [])].sort((a, b) => computerNameOrder(a.computerName, b.computerName));
  return { state, sorted };
}

import { routes, type AdminClient, type SeenOsUser } from '@latchkey/contracts';
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

/** The enrolled computers for the Clients page, refreshed every 30 seconds while the tab is shown. */
export function useClientList(): AsyncState<AdminClient[]> {
  return useAsync((signal) => api(routes.listClients, {}, signal), [], 30_000);
}

/** The Windows users seen on a computer (none while no computer is chosen). */
export function useClientOsUsers(clientId: string): AsyncState<SeenOsUser[]> {
  return useAsync(
    (signal) => (clientId ? api(routes.listClientOsUsers, { params: { clientId } }, signal) : Promise.resolve<SeenOsUser[]>([])),
    [clientId],
  );
}

/** Turns one-time passwords on or off for one computer; answers the computer as it now is. */
export function allowOneTimePasswords(clientId: string, allow: boolean): Promise<AdminClient> {
  return api(routes.patchClient, { params: { clientId }, body: { allowOneTimePasswords: allow } });
}

/** Removes a computer: its token stops working and its pending requests are denied. */
export async function removeClient(clientId: string): Promise<void> {
  await api(routes.deleteClient, { params: { clientId } });
}

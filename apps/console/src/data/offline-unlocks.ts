import { routes, type OfflineResponseBody, type OfflineResponseResult } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync } from './use-async';

/** The offline unlocks, newest first; loads again when `refreshKey` changes and every 15 seconds while the tab is shown. */
export function useOfflineUnlocks(refreshKey: number) {
  return useAsync((signal) => api(routes.listOfflineUnlocks, {}, signal), [refreshKey], 15_000);
}

/** The response code that answers a locked computer's offline challenge. */
export function offlineResponse(clientId: string, body: OfflineResponseBody): Promise<OfflineResponseResult> {
  return api(routes.offlineResponse, { params: { clientId }, body });
}

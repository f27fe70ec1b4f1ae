import { routes } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync } from './use-async';

/** Whether the server has a directory and it answers, every 30 seconds while the tab is shown. */
export function useDirectoryStatus() {
  return useAsync((signal) => api(routes.getDirectoryStatus, {}, signal), [], 30_000);
}

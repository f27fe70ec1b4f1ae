import { net } from 'electron';
import { createServerFailover, type AbortableFetch } from '../lock/server-failover.js';

/**
 * One process's way to the servers of the machine configuration (the lock's, the guard's, the
 * machine enrollment's): tried in order, the one that answered last first (server-failover.ts), each
 * switch logged.
 */
export function serverFetch(servers: readonly string[], log: (line: string) => void): AbortableFetch {
  return createServerFailover({
    servers,
    fetch: net.fetch as unknown as AbortableFetch,
    onSwitch: (from, to, why) => log(`server ${from} did not answer (${why}); now ${to}`),
  }).fetch;
}

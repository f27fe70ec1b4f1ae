import { buildUrl } from '@latchkey/contracts';

/**
 * Calls a route of the contract by its descriptor over the load generator's connection pool: the
 * path comes from the descriptor (parameters filled, query added), never typed here. Answers
 * `{ status, body, ms }` as `http.call` does; the benchmark checks statuses itself.
 */
export function callRoute(http, route, { params, query, token, body } = {}) {
  return http.call(route.method, buildUrl(route.url, params, query), { token, body });
}

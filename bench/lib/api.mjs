import { buildUrl } from '@latchkey/contracts';

/**
 * Calls a route of the contract by its descriptor over the load generator's connection pool: the
 * path comes from the descriptor (parameters filled, query added), never typed here. Answers
 * `{ status, body, ms }` as `http.call` does; the benchmark checks statuses itself.
 */
export async function callRoute(http, route, { params, query, token, body } = {}) {
  const path = buildUrl(route.url, params, query);
  for (let attempt = 1; ; attempt++) {
    const res = await http.call(route.method, path, { token, body });
    // A 500 is asked again, as a Client does (nothing of a failed write was kept), and counted: the
    // report says how many there were. Latency is that of the answer that counted.
    if (res.status !== 500 || attempt === 5) return res;
    serverErrors.count++;
  }
}

/** 500 answers asked again since the last reset (the run's report prints them). */
export const serverErrors = { count: 0 };

import { Latencies } from '../lib/load.mjs';
import { METRICS_SCRAPES, METRICS_TOKEN } from '../lib/settings.mjs';

/** Prometheus scraping /metrics (with its token) back to back on one connection, after the load. */
export async function metricsScrapes(http) {
  const lat = new Latencies();
  for (let k = 0; k < METRICS_SCRAPES; k++) {
    const res = await http.call('GET', '/metrics', { token: METRICS_TOKEN });
    if (res.status !== 200) throw new Error(`metrics: expected 200, got ${res.status}`);
    lat.add(res.ms);
  }
  return { lat };
}

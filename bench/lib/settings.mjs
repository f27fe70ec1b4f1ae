// What every part of the benchmark shares: its sizes (each a BENCH_* variable), the configuration the
// server runs with, and small helpers.
const env = (name, fallback) => Number(process.env[name] ?? fallback);
export const CLIENTS = env('BENCH_CLIENTS', 2000);
export const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
export const HISTORY_ROWS = env('BENCH_HISTORY_ROWS', 1_000_000);
export const OTPS_PER_CLIENT = env('BENCH_OTPS_PER_CLIENT', 4);
export const HEARTBEATS = env('BENCH_HEARTBEATS', 3);
export const BARE_SECONDS = env('BENCH_BARE_SECONDS', 8);
/** An empty PostgreSQL database (`postgres://user:password@host:port/db`): the server runs on it too, one node and two. */
export const DATABASE_URL = process.env.BENCH_DATABASE_URL || undefined;

// Rate limits stay on. Only the two budgets a single load generator exhausts by design are raised,
// through the documented variables: enrollment of 2,000 Clients from one address, and one helpdesk
// user generating every OTP. The per-Client limit keeps its default (60 a minute).
export const RATE_LIMIT_ENV = {
  LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
  LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '1000000',
};
export const ADMIN_PASSWORD = 'bench-admin-password';
export const HELPDESK_PASSWORD = 'bench-helpdesk-password';
export const ENROLLMENT_KEY = 'bench-enrollment-key-000001';
export const METRICS_TOKEN = 'bench-metrics-token-0123456789';
export const EVENTS_PER_BATCH = env('BENCH_EVENTS_PER_BATCH', 10);
export const METRICS_SCRAPES = env('BENCH_METRICS_SCRAPES', 200);

export const log = (line) => console.log(line);
/** A database URL without its password, for the output. */
export const redactedUrl = (url) => url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
export const mib = (bytes) => round(bytes / 2 ** 20, 1);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, digits = 0) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

export function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

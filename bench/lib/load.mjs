// Load-generation helpers: one undici pool of N keep-alive connections, latency recording, percentiles.
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';
import { API_LEVEL, API_LEVEL_HEADER } from '@latchkey/contracts';

export class Latencies {
  constructor() {
    this.values = [];
  }
  add(ms) {
    this.values.push(ms);
  }
  get count() {
    return this.values.length;
  }
  percentile(p) {
    if (this.values.length === 0) return NaN;
    const sorted = [...this.values].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[index];
  }
}

/**
 * `baseUrl` is one server, or several (nodes on one database): then each has its own pool and the
 * requests go to them in turn (round-robin), as a load balancer spreads them.
 */
export function createHttp(baseUrl, connections) {
  const pools = [baseUrl].flat().map((url) => new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 30_000 }));
  let turn = 0;
  /** One request; answers `{status, body, ms}` (body parsed when it is JSON); throws only on transport errors. */
  async function call(method, path, { token, body } = {}) {
    const pool = pools[turn++ % pools.length];
    // As a lock of this release calls (an older lock's answers take the slower olderLocks path).
    const headers = { [API_LEVEL_HEADER]: API_LEVEL };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const started = performance.now();
    const res = await pool.request({ method, path, headers, body: payload });
    const text = await res.body.text();
    const ms = performance.now() - started;
    const json = String(res.headers['content-type'] ?? '').includes('json');
    return { status: res.statusCode, body: text && json ? JSON.parse(text) : text || null, ms };
  }
  return { call, close: () => Promise.all(pools.map((pool) => pool.close())) };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function runPool(n, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) await task(i);
    }),
  );
}

/** Closed-loop load for `durationMs`: `concurrency` workers each calling `task()` back to back. */
export async function runFor(durationMs, concurrency, task) {
  const end = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await task();
        done++;
      }
    }),
  );
  return done;
}

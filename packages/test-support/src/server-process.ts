import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUrl, createApiClient, routes, type ApiClient, type EnrollResult, type RouteDescriptor } from '@latchkey/contracts';
import { startNodeProcess } from './node-process.js';

/** The built server (this file is in packages/test-support/src or dist); turbo builds it before the tests run. */
export const SERVER_ENTRY = fileURLToPath(new URL('../../../apps/server/dist/server.js', import.meta.url));
export const ADMIN_PASSWORD = 'admin-password-for-attacks';
export const ENROLLMENT_KEY = 'enrollment-key-for-attacks-01';

/** Rate limits no test traffic reaches, for tests that generate load rather than test the limits. */
export const HIGH_RATE_LIMITS = {
  LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
  LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
  LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '1000000',
};

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  ms: number;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface SendInput extends RequestOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
}

export interface ServerProcess {
  baseUrl: string;
  port: number;
  dataDir: string;
  /** What the server printed. */
  output: string[];
  pid: number;
  /**
   * The contracts' typed client over HTTP, as `token` when given, the same call `t.api` makes in
   * process: `server.api(token)(routes.verifyOtp, { body })` answers the route's typed body, and
   * any other status rejects with an `ApiError` carrying it and the error code. `headers` go with
   * every call (e.g. a forged X-Forwarded-For).
   */
  api(token?: string, headers?: Record<string, string>): ApiClient;
  /**
   * One route of the contract, unchecked, the raw answer: for tests that send what the schema
   * refuses (`body` or `rawBody`), or compare raw bytes, headers and times.
   */
  send(route: RouteDescriptor, input?: SendInput): Promise<HttpAnswer>;
  /** Any method and path, the raw answer: only for what the contract has no route for (/metrics, static files, wrong methods). */
  request(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
  enroll(computerName?: string): Promise<EnrollResult>;
  login(login?: string, password?: string): Promise<string>;
  /** SIGKILL, no shutdown of any kind. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same data dir and port. */
  restart(): Promise<ServerProcess>;
  /** Stops and deletes the data dir. */
  destroy(): Promise<void>;
}

export interface ServerProcessOptions {
  smtpUrl?: string;
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  /** The server speaks HTTPS (LATCHKEY_TLS_* in env): its base URL is https and the start waits trusting this CA. `api`, `send` and `request` stay HTTP-only. */
  tlsCa?: string;
}

/** The built server as its own process on a temp data dir and a free loopback port. */
export async function startServerProcess(options: ServerProcessOptions = {}, ownsDataDir = !options.dataDir): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'latchkey-proc-'));
  const node = await startNodeProcess({
    entry: SERVER_ENTRY,
    healthPath: '/api/v1/health',
    ...(options.port ? { port: options.port } : {}),
    ...(options.tlsCa ? { tlsCa: options.tlsCa } : {}),
    env: {
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_DATA_DIR: dataDir,
      ...(options.smtpUrl ? { LATCHKEY_SMTP_URL: options.smtpUrl } : {}),
      LATCHKEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LATCHKEY_ADMIN_EMAIL: 'admin@corp.example.com',
      LATCHKEY_ENROLLMENT_KEY: ENROLLMENT_KEY,
      LATCHKEY_LOG_LEVEL: 'warn',
      LATCHKEY_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...options.env,
    },
  });
  const { baseUrl, port } = node;

  const request = async (method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (body === undefined && o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    const ms = performance.now() - started;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json, ms };
  };

  const api = (token?: string, headers: Record<string, string> = {}) =>
    createApiClient({ baseUrl, fetch: (url, init) => fetch(url, init), token: () => token, headers: () => headers });

  const proc: ServerProcess = {
    baseUrl,
    port,
    dataDir,
    output: node.output,
    pid: node.pid,
    api,
    send: (route, { params, query, ...options } = {}) => request(route.method, buildUrl(route.url, params, query), options),
    request,
    enroll: (computerName = 'PC-0001') => api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName } }),
    async login(login = 'admin', password = ADMIN_PASSWORD) {
      return (await api()(routes.adminLogin, { body: { login, password } })).token;
    },
    kill9: () => node.kill9(),
    stop: () => node.stop(),
    async restart() {
      await node.stop();
      return startServerProcess({ ...options, dataDir, port }, ownsDataDir);
    },
    async destroy() {
      await node.stop();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return proc;
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function runPool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) await task(i);
    }),
  );
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, inject } from 'vitest';
import postgres from 'postgres';
import {
  routes,
  type ApiClient,
  type EnrollResult,
  type RouteDescriptor,
  type Role,
  type SettingsPatch,
  type ClientRole,
} from '@latchkey/contracts';
import { buildApp } from '../src/app.js';
import { all, run, sql } from '../src/db/engine.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/clock.js';
import { injectApi, injectRoute, startSmtpSink, type InjectAnswer, type SmtpSink } from '@latchkey/test-support';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const ENROLLMENT_KEY = 'enrollment-key-for-tests-0001';

export interface TestApp {
  app: FastifyInstance;
  clock: ManualClock;
  dataDir: string;
  smtp: SmtpSink;
  /** Every log line the server wrote. */
  logs: string[];
  /** The contracts' typed client through `app.inject`, as `token` when given: `t.api(token)(routes.verifyOtp, { body })`. */
  api(token?: string): ApiClient;
  /**
   * One route with a body the schema may refuse, unchecked, and only the headers given (no
   * `latchkey-api`: as a lock of v1.1 calls); the raw answer. For tests of hostile or malformed input.
   */
  send(
    route: RouteDescriptor,
    input?: {
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      token?: string;
      headers?: Record<string, string>;
    },
  ): PromiseLike<InjectAnswer>;
  enroll(computerName?: string, role?: ClientRole): Promise<EnrollResult>;
  adminToken(login?: string, password?: string): Promise<string>;
  /** Creates an internal user through the admin API; password and email default from the login. */
  createUser(
    admin: string,
    user: { login: string; role: Role; password?: string; email?: string; windowsAccounts?: string[] },
  ): Promise<void>;
  /** Changes System Settings through the admin API. */
  updateSettings(admin: string, patch: SettingsPatch): Promise<void>;
  /** On PostgreSQL, the test app's own database (a second app on the same data passes it on); undefined on SQLite. */
  databaseUrl: string | undefined;
  /** Rows of a read on whichever engine the app runs (SQLite or PostgreSQL): what the database holds. */
  query<R>(text: string, ...params: unknown[]): Promise<R[]>;
  /** Closes the app; the data dir stays so a test can reopen it. */
  close(): Promise<void>;
  /** Closes the app and builds a new one on the same data dir and SMTP server. */
  restart(): Promise<TestApp>;
  /** Closes everything and deletes the data dir. */
  destroy(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  dataDir?: string;
  smtp?: SmtpSink;
  clock?: ManualClock;
  /** Internal: whether this app stops the SMTP server it was given. */
  ownsSmtp?: boolean;
  /** Registers more on the real app before it is ready (a route the contract does not have yet). */
  beforeReady?: (app: FastifyInstance) => void;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the suites run on PostgreSQL (LATCHKEY_TEST_ENGINE=postgres, test/support/engine-setup.ts): the test cluster's superuser URL. */
    postgresUrl: string | undefined;
  }
}

/** Whether these suites run on PostgreSQL (LATCHKEY_TEST_ENGINE=postgres, test/support/engine-setup.ts). */
export const onPostgres = (): boolean => inject('postgresUrl') !== undefined;
/** Why a test of something SQLite's own (its file, pragmas, the group commit) does not run on PostgreSQL. */
export const SQLITE_ONLY = 'SQLite only: it checks the embedded database file itself';

let databases = 0;
/** A new, empty database on the test cluster, for one test app (and its restarts). */
async function newPostgresDatabase(serverUrl: string): Promise<string> {
  const name = `t${process.pid}_${++databases}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The real app on a temp data dir, mailing a real SMTP server on loopback. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const serverUrl = inject('postgresUrl');
  if (serverUrl !== undefined && options.env?.LATCHKEY_DATABASE_URL === undefined) {
    // Restarts keep the database, as they keep the data dir.
    options = { ...options, env: { ...options.env, LATCHKEY_DATABASE_URL: await newPostgresDatabase(serverUrl) } };
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const smtp = options.smtp ?? (await startSmtpSink());
  const ownsSmtp = options.ownsSmtp ?? !options.smtp;
  const clock = options.clock ?? new ManualClock();
  const logs: string[] = [];
  const config = loadConfig({
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_SMTP_URL: smtp.url,
    LATCHKEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LATCHKEY_ADMIN_EMAIL: 'admin@corp.example.com',
    LATCHKEY_ENROLLMENT_KEY: ENROLLMENT_KEY,
    LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '100000',
    LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '100000',
    // Test files share two cores: a starved loop must not shed requests (test/operations/health.test.ts covers shedding).
    LATCHKEY_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...options.env,
  });
  const app = await buildApp({
    config,
    clock,
    logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
    announce: (line) => void logs.push(line),
  });
  options.beforeReady?.(app);
  await app.ready();

  const api = (token?: string) => injectApi(app, token);
  const testApp: TestApp = {
    app,
    clock,
    dataDir,
    smtp,
    logs,
    api,
    send: (route, input) => injectRoute(app, route, input),
    enroll: (computerName = 'PC-0001', role?: ClientRole) =>
      api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName, ...(role ? { role } : {}) } }),
    async adminToken(login = 'admin', password = ADMIN_PASSWORD) {
      return (await api()(routes.adminLogin, { body: { login, password } })).token;
    },
    async createUser(admin, { login, role, password = `${login}-password-1`, email = `${login}@corp.example.com`, windowsAccounts }) {
      await api(admin)(routes.createUser, { body: { login, password, email, role, ...(windowsAccounts ? { windowsAccounts } : {}) } });
    },
    async updateSettings(admin, patch) {
      await api(admin)(routes.putSettings, { body: patch });
    },
    databaseUrl: options.env?.LATCHKEY_DATABASE_URL,
    // A statement that returns no rows (an UPDATE, an ALTER) is run for its effect: SQLite tells the two apart.
    query: <R>(text: string, ...params: unknown[]) =>
      app.engine.read(function* () {
        const statement = sql<unknown[], R>(text);
        if (/^\s*(SELECT|WITH)\b|\bRETURNING\b/i.test(text)) return yield* all(statement, ...params);
        yield* run(statement, ...params);
        return [];
      }),
    close: () => app.close(),
    async restart() {
      await app.close();
      return buildTestApp({ ...options, dataDir, smtp, clock, ownsSmtp });
    },
    async destroy() {
      await app.close();
      if (ownsSmtp) await smtp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A new test app before each test of the file, destroyed after it: `const t = useTestApp();` at the
 * top. `t` always stands for the current one, so `await t.restart()` swaps the app in place.
 */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  let current: TestApp | undefined;
  beforeEach(async () => {
    current = await buildTestApp(options);
  });
  // The last one stays reachable after its test (closed), as it would through a plain variable.
  afterEach(async () => {
    await current?.destroy();
  });
  const now = (): TestApp => {
    if (!current) throw new Error('the test app exists only inside a test');
    return current;
  };
  // Every member of TestApp is read from the current app; restart() also replaces it.
  const self: TestApp = new Proxy({} as TestApp, {
    get(_, key: keyof TestApp | 'then') {
      // Not a thenable: `return t` from an async function must not look for t.then.
      if (key === 'then') return undefined;
      if (key === 'restart')
        return async () => {
          current = await now().restart();
          return self;
        };
      return now()[key];
    },
  });
  return self;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { EnrollResult, Role, SettingsPatch } from '@latchkey/contracts';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/clock.js';
import { startSmtpSink, type SmtpSink } from '@latchkey/test-support';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const ENROLLMENT_KEY = 'enrollment-key-for-tests-0001';

export interface TestApp {
  app: FastifyInstance;
  clock: ManualClock;
  dataDir: string;
  smtp: SmtpSink;
  /** Every log line the server wrote. */
  logs: string[];
  enroll(computerName?: string): Promise<EnrollResult>;
  adminToken(login?: string, password?: string): Promise<string>;
  /** Creates an internal user through the admin API; password and email default from the login. */
  createUser(
    admin: string,
    user: { login: string; role: Role; password?: string; email?: string; windowsAccounts?: string[] },
  ): Promise<void>;
  /** Changes System Settings through the admin API. */
  updateSettings(admin: string, patch: SettingsPatch): Promise<void>;
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
}

/** The real app on a temp data dir, mailing a real SMTP server on loopback. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
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
  await app.ready();

  const testApp: TestApp = {
    app,
    clock,
    dataDir,
    smtp,
    logs,
    async enroll(computerName = 'PC-0001') {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/clients/enroll',
        payload: { enrollmentKey: ENROLLMENT_KEY, computerName },
      });
      if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async adminToken(login = 'admin', password = ADMIN_PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { login, password } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      return res.json().token as string;
    },
    async createUser(admin, { login, role, password = `${login}-password-1`, email = `${login}@corp.example.com`, windowsAccounts }) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        headers: bearer(admin),
        payload: { login, password, email, role, ...(windowsAccounts ? { windowsAccounts } : {}) },
      });
      if (res.statusCode !== 201) throw new Error(`creating user ${login} failed: ${res.statusCode} ${res.body}`);
    },
    async updateSettings(admin, patch) {
      const res = await app.inject({ method: 'PUT', url: '/api/v1/admin/settings', headers: bearer(admin), payload: patch });
      if (res.statusCode !== 200) throw new Error(`changing settings failed: ${res.statusCode} ${res.body}`);
    },
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

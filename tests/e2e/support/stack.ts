import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeProcess, startSmtpSink, type NodeProcess, type SmtpSink } from '@latchkey/test-support';

export { OTP_CODE_LINE, otpFromMail, type ReceivedMail, type SmtpSink } from '@latchkey/test-support';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const SERVER_ENTRY = join(REPO_ROOT, 'apps/server/dist/server.js');

export const ADMIN_PASSWORD = 'e2e-admin-password';
export const ENROLLMENT_KEY = 'e2e-enrollment-key-0000001';

export interface Stack {
  baseUrl: string;
  mailbox: SmtpSink;
  adminPassword: string;
  enrollmentKey: string;
  dataDir: string;
  /** What the server printed, for assertions and for debugging a failed test. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * The real server (built dist) on a temp data dir and a free port, mailing a real SMTP server.
 * Demo mode is on so the lock preview is served. Rate limits are raised unless `env` sets them.
 */
export async function startStack(options: { env?: Record<string, string> } = {}): Promise<Stack> {
  const mailbox = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  let server: NodeProcess;
  try {
    server = await startNodeProcess({
      entry: SERVER_ENTRY,
      cwd: REPO_ROOT,
      healthPath: '/api/v1/health',
      env: {
        LATCHKEY_HOST: '127.0.0.1',
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_SMTP_URL: mailbox.url,
        LATCHKEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LATCHKEY_ADMIN_EMAIL: 'admin@corp.example.com',
        LATCHKEY_ENROLLMENT_KEY: ENROLLMENT_KEY,
        LATCHKEY_DEMO: '1',
        LATCHKEY_LOG_LEVEL: 'warn',
        LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '10000',
        LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '10000',
        LATCHKEY_RATE_LIMIT_ADMIN_PER_MINUTE: '10000',
        ...options.env,
      },
    });
  } catch (err) {
    await mailbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    baseUrl: server.baseUrl,
    mailbox,
    adminPassword: ADMIN_PASSWORD,
    enrollmentKey: ENROLLMENT_KEY,
    dataDir,
    output: server.output,
    async stop() {
      await server.stop(5000);
      await mailbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

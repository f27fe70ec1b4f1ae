import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startSmtpSink, type SmtpSink } from '@latchkey/test-support';

export { otpFromMail, type ReceivedMail, type SmtpSink } from '@latchkey/test-support';

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

async function waitForHealth(baseUrl: string, child: ChildProcess, output: string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not become healthy:\n${output.join('')}`);
}

/**
 * The real server (built dist) on a temp data dir and a free port, mailing a real SMTP server.
 * Demo mode is on so the lock preview is served. Rate limits are raised unless `env` sets them.
 */
export async function startStack(options: { env?: Record<string, string> } = {}): Promise<Stack> {
  const mailbox = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_PORT: String(port),
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  try {
    await waitForHealth(baseUrl, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    await mailbox.stop();
    throw err;
  }
  return {
    baseUrl,
    mailbox,
    adminPassword: ADMIN_PASSWORD,
    enrollmentKey: ENROLLMENT_KEY,
    dataDir,
    output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await mailbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

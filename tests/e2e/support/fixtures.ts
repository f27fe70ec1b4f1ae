import { expect, test as base } from '@playwright/test';
import {
  createApiClient,
  routes,
  type ApiClient,
  type ClientRole,
  type CreateUserBody,
  type FetchLike,
  type Settings,
  type SettingsPatch,
} from '@latchkey/contracts';
import { fileURLToPath } from 'node:url';
import { OTP_CODE_LINE, otpFromMail, startStack, type ReceivedMail, type Stack } from './stack.ts';

export { expect, otpFromMail };

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
/** The Windows user the lock preview is opened for unless a spec says otherwise. */
export const OS_USER = 'CORP\\alice';

const nodeFetch: FetchLike = (url, init) => fetch(url, init);

/**
 * Internal users a spec needs, by login. A `user` (the default role) is linked to the preview's
 * Windows user unless `windowsAccounts` says otherwise. (A record, not a list: `test.use` would read
 * a list of two or more as a fixture tuple.)
 */
export type SeedUsers = Record<string, Omit<CreateUserBody, 'login' | 'role'> & { role?: CreateUserBody['role'] }>;

/** The running server with an admin API client (Bearer) and what specs do through it. */
export interface AppStack extends Stack {
  admin: ApiClient;
  settings(patch: SettingsPatch): Promise<void>;
  /** The OTP in the newest code mail to `email`, after at least `count` such mails arrived. */
  otpFor(email: string, count?: number): Promise<string>;
  pendingRequestId(email: string): Promise<string>;
  /** `role`: `machine` for a computer the installer enrolled (its guard holds the offline key). */
  enrollClient(computerName: string, role?: ClientRole): Promise<{ clientId: string; client: ApiClient }>;
}

interface PooledStack extends AppStack {
  /** The settings the server started with: every test begins from them. */
  defaults: Settings;
}

async function startAppStack(env: Record<string, string>, users: SeedUsers): Promise<PooledStack> {
  const stack = await startStack({ env });
  try {
    const anonymous = createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch });
    const { token } = await anonymous(routes.adminLogin, { body: { login: 'admin', password: stack.adminPassword } });
    const admin = createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch, token: () => token });
    for (const [login, { role = 'user', windowsAccounts = role === 'user' ? [OS_USER] : undefined, ...user }] of Object.entries(users))
      await admin(routes.createUser, { body: { login, ...user, role, ...(windowsAccounts && { windowsAccounts }) } });
    const codeMails = (email: string) =>
      stack.mailbox.mails.filter((m: ReceivedMail) => m.to.includes(email) && OTP_CODE_LINE.test(m.text));
    const pending = async () => admin(routes.listAccessRequests, { query: { status: 'pending' } });
    return {
      ...stack,
      admin,
      defaults: await admin(routes.getSettings, {}),
      async settings(patch) {
        await admin(routes.putSettings, { body: patch });
      },
      async otpFor(email, count = 1) {
        await expect.poll(() => codeMails(email).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
        return otpFromMail(codeMails(email).at(-1)!);
      },
      async pendingRequestId(email) {
        await expect.poll(async () => (await pending()).some((r) => r.email === email)).toBe(true);
        return (await pending()).find((r) => r.email === email)!.requestId;
      },
      async enrollClient(computerName, role) {
        const { clientId, clientToken } = await anonymous(routes.enroll, {
          body: { enrollmentKey: stack.enrollmentKey, computerName, ...(role ? { role } : {}) },
        });
        return { clientId, client: createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch, token: () => clientToken }) };
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/**
 * The servers of one worker. A worker runs spec file after spec file, so a server started for a
 * worker would carry one file's users, clients and mails into the next: each file gets its own
 * (per server env and seed users), started at its first test and stopped when the worker moves on.
 */
class StackPool {
  private readonly stacks = new Map<string, { file: string; stack: Promise<PooledStack> }>();

  async stackFor(file: string, env: Record<string, string>, users: SeedUsers): Promise<PooledStack> {
    for (const [key, entry] of this.stacks)
      if (entry.file !== file) {
        this.stacks.delete(key);
        await stopStack(entry.stack);
      }
    const key = JSON.stringify([file, env, users]);
    let entry = this.stacks.get(key);
    if (!entry) {
      entry = { file, stack: startAppStack(env, users) };
      this.stacks.set(key, entry);
    }
    return entry.stack;
  }

  async stopAll(): Promise<void> {
    const entries = [...this.stacks.values()];
    this.stacks.clear();
    for (const { stack } of entries) await stopStack(stack);
  }
}

async function stopStack(stack: Promise<PooledStack>): Promise<void> {
  // A stack that failed to start has stopped what it started and failed its test already.
  await stack.then((s) => s.stop()).catch(() => undefined);
}

export interface StackOptions {
  /** Extra server environment (`LATCHKEY_*`) for this file or describe block. */
  serverEnv: Record<string, string>;
  /** Internal users created when the server starts. */
  users: SeedUsers;
  /**
   * Minutes between new OTPs for one computer, set before each test. Specs issue several OTPs per
   * computer, so 0; `null` keeps the server's default. The interval rule has its own server tests.
   */
  interval: number | null;
  /** Settings every test of the block starts from, over the server's defaults (and `interval`). */
  settings: SettingsPatch;
  /**
   * A server of the test's own, started for it and stopped after it, instead of the file's shared
   * one: for a test that stops the server on purpose (`await stack.stop()`).
   */
  ownStack: boolean;
}

/** Puts the stack's settings back to what the test starts from, whatever the tests before it changed. */
async function startFrom(stack: PooledStack, interval: number | null, settings: SettingsPatch): Promise<void> {
  const wanted: Settings = { ...stack.defaults, ...(interval === null ? {} : { otpRequestIntervalMinutes: interval }), ...settings };
  const current = await stack.admin(routes.getSettings, {});
  const changed = Object.fromEntries(
    Object.entries(wanted).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(current[name as keyof Settings])),
  );
  if (Object.keys(changed).length > 0) await stack.settings(changed);
}

export const test = base.extend<StackOptions & { stack: AppStack; pageErrors: string[] }, { stackPool: StackPool }>({
  serverEnv: [{}, { option: true }],
  users: [{}, { option: true }],
  interval: [0, { option: true }],
  settings: [{}, { option: true }],
  ownStack: [false, { option: true }],
  stackPool: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const pool = new StackPool();
      await use(pool);
      await pool.stopAll();
    },
    { scope: 'worker' },
  ],
  stack: [
    async ({ stackPool, serverEnv, users, interval, settings, ownStack }, use, testInfo) => {
      if (ownStack) {
        const own = await startAppStack(serverEnv, users);
        try {
          await startFrom(own, interval, settings);
          await use(own);
        } finally {
          // The test may have stopped its server already.
          await own.stop().catch(() => undefined);
        }
        return;
      }
      const stack = await stackPool.stackFor(testInfo.file, serverEnv, users);
      await startFrom(stack, interval, settings);
      await use(stack);
    },
    // Starting the server (the first test of a file) has its own time, as it had in beforeAll.
    { timeout: 60_000 },
  ],
  /** CSP violations and script errors the page reports; a test that asks for them expects none. */
  pageErrors: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    await use(problems);
  },
});

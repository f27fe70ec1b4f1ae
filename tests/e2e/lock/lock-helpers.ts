import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createApiClient, routes, type ApiClient, type FetchLike } from '@latchkey/contracts';
import { fileURLToPath } from 'node:url';
import { otpFromMail, startStack, type ReceivedMail, type Stack } from '../support/stack.ts';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
export const VIEWPORT = { width: 1366, height: 768 };
export const OS_USER = 'CORP\\alice';

const nodeFetch: FetchLike = (url, init) => fetch(url, init);

export interface LockStack extends Stack {
  admin: ApiClient;
  /** Settings for this spec (policy mode, interval). */
  settings(body: Parameters<ApiClient>[1] extends never ? never : Record<string, unknown>): Promise<void>;
  /** An internal user; `windowsAccounts` are the Windows accounts besides their own login it may request OTPs for. */
  addUser(login: string, password: string, email: string, windowsAccounts?: string[]): Promise<void>;
  /** The OTP in the newest mail to `email`, after at least `count` such mails arrived. */
  otpFor(email: string, count?: number): Promise<string>;
  pendingRequestId(email: string): Promise<string>;
}

export async function startLockStack(env: Record<string, string> = {}): Promise<LockStack> {
  const stack = await startStack({ env });
  const login = await createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch })(routes.adminLogin, {
    body: { login: 'admin', password: stack.adminPassword },
  });
  const admin = createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch, token: () => login.token });
  const codeMails = (email: string) =>
    stack.mailbox.mails.filter((m: ReceivedMail) => m.to.includes(email) && /^\s{4}\d{6,10}$/m.test(m.text));
  return {
    ...stack,
    admin,
    async settings(body) {
      await admin(routes.putSettings, { body: body as never });
    },
    async addUser(userLogin, password, email, windowsAccounts) {
      await admin(routes.createUser, {
        // Linked to the preview's default Windows user unless told otherwise (internal users are tied to Windows accounts).
        body: { login: userLogin, password, email, role: 'user', windowsAccounts: windowsAccounts ?? [OS_USER] },
      });
    },
    async otpFor(email, count = 1) {
      await expect.poll(() => codeMails(email).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
      return otpFromMail(codeMails(email).at(-1)!);
    },
    async pendingRequestId(email) {
      await expect
        .poll(async () => (await admin(routes.listAccessRequests, { query: { status: 'pending' } })).some((r) => r.email === email))
        .toBe(true);
      const list = await admin(routes.listAccessRequests, { query: { status: 'pending' } });
      return list.find((r) => r.email === email)!.requestId;
    },
  };
}

export function previewUrl(stack: Stack, computer: string, user = OS_USER): string {
  return `${stack.baseUrl}/preview/lock?computer=${encodeURIComponent(computer)}&user=${encodeURIComponent(user)}`;
}

/** Fails the test on any CSP violation or script error the page reports. */
export function watchPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

export const lockPopup = (page: Page): Locator => page.getByRole('dialog', { name: 'A one-time password is required' });
export const requestPopup = (page: Page): Locator => page.getByRole('dialog', { name: 'Request One-Time Password' });

export async function openLock(page: Page, stack: Stack, computer: string): Promise<Locator> {
  await page.goto(previewUrl(stack, computer));
  const popup = lockPopup(page);
  await expect(popup).toBeVisible();
  await expect(popup.getByRole('button', { name: 'Request One-Time Password' })).toBeEnabled();
  return popup;
}

export async function logIn(page: Page, otp: string): Promise<void> {
  const popup = lockPopup(page);
  await popup.getByLabel('One-time password').fill(otp);
  await popup.getByRole('button', { name: 'Log in' }).click();
}

export async function expectUnlocked(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeVisible();
  await expect(lockPopup(page)).toBeHidden();
}

export function wrongCode(code: string): string {
  return code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
}

/** axe-core on the page as it is now (the open pop-up and everything else): no violations at all. */
export async function expectAxeClean(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe violations in state "${state}"`).toEqual([]);
}

/** Focus is on a control inside the open dialog, never on <body>. */
export async function expectFocusInDialog(page: Page): Promise<void> {
  const where = await page.evaluate(() => {
    const active = document.activeElement;
    if (!active || active === document.body) return 'body';
    return active.closest('[role="dialog"]:not([hidden])') ? 'dialog' : `outside: ${active.tagName}`;
  });
  expect(where).toBe('dialog');
}

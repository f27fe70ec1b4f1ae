import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createApiClient, routes, type ApiClient, type FetchLike } from '@latchkey/contracts';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../support/stack.ts';

export { otpFromMail } from '../support/stack.ts';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
export const VIEWPORT = { width: 1366, height: 768 };

const nodeFetch: FetchLike = (url, init) => fetch(url, init);

/** What a spec needs: the running stack, an admin API client (Bearer), and helpers for Clients. */
export interface ConsoleStack extends Stack {
  admin: ApiClient;
  enrollClient(computerName: string): Promise<{ clientId: string; client: ApiClient }>;
}

export async function startConsoleStack(env: Record<string, string> = {}): Promise<ConsoleStack> {
  const stack = await startStack({ env });
  const login = await createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch })(routes.adminLogin, {
    body: { login: 'admin', password: stack.adminPassword },
  });
  const admin = createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch, token: () => login.token });
  // Specs issue several OTPs per computer; the interval rule has its own server tests.
  await admin(routes.putSettings, { body: { otpRequestIntervalMinutes: 0 } });
  return {
    ...stack,
    admin,
    async enrollClient(computerName) {
      const anonymous = createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch });
      const { clientId, clientToken } = await anonymous(routes.enroll, { body: { enrollmentKey: stack.enrollmentKey, computerName } });
      return { clientId, client: createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch, token: () => clientToken }) };
    },
  };
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

export async function signIn(page: Page, baseUrl: string, login: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Login name').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export async function openPage(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  // Let loading states settle so the picture shows the page, not a spinner.
  await expect(page.locator('.state-loading')).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}console-${name}.png`, fullPage: true });
}

/** axe-core on the page as it is now (WCAG 2.x A and AA rules and best practices): no violations. */
export async function expectAxeClean(page: Page, state: string): Promise<void> {
  await expect(page.locator('.state-loading')).toHaveCount(0);
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, `axe violations on ${state}`).toEqual([]);
}

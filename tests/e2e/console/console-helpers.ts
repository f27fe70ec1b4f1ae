import { type Page } from '@playwright/test';
import { expectAxeClean as expectPageAxeClean } from '../support/axe.ts';
import { expect, SCREENSHOT_DIR } from '../support/fixtures.ts';

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

/** axe-core once loading states have settled: no violations. */
export async function expectAxeClean(page: Page, state: string): Promise<void> {
  await expect(page.locator('.state-loading')).toHaveCount(0);
  await expectPageAxeClean(page, state);
}

import { type Locator, type Page } from '@playwright/test';
import { expect, OS_USER } from '../support/fixtures.ts';
import type { Stack } from '../support/stack.ts';

export { expectAxeClean } from '../support/axe.ts';

export function previewUrl(stack: Stack, computer: string, user = OS_USER): string {
  return `${stack.baseUrl}/preview/lock?computer=${encodeURIComponent(computer)}&user=${encodeURIComponent(user)}`;
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

/** Focus is on a control inside the open dialog, never on <body>. */
export async function expectFocusInDialog(page: Page): Promise<void> {
  const where = await page.evaluate(() => {
    const active = document.activeElement;
    if (!active || active === document.body) return 'body';
    return active.closest('[role="dialog"]:not([hidden])') ? 'dialog' : `outside: ${active.tagName}`;
  });
  expect(where).toBe('dialog');
}

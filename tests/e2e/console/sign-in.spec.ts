import { expect, test } from '../support/fixtures.ts';
import { expectAxeClean, screenshot, signIn } from './console-helpers.ts';

test('refuses a wrong password or an unknown login with the same message', async ({ page, stack, pageErrors }) => {
  await page.goto(`${stack.baseUrl}/console/`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Login name')).toBeFocused();

  await page.getByLabel('Login name').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText('The login name or password is not correct.');
  await screenshot(page, 'sign-in');

  await page.getByLabel('Login name').fill('nobody-here');
  await page.getByLabel('Password').fill(stack.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alert).toHaveText('The login name or password is not correct.');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('signs in with the keyboard, keeps the session on reload, and signs out', async ({ page, context, stack, pageErrors }) => {
  await page.goto(`${stack.baseUrl}/console/`);
  await expect(page.getByLabel('Login name')).toBeFocused();
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(stack.adminPassword);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Access Requests' })).toBeVisible();
  await expect(page).toHaveURL(/\/console\/requests$/);

  // The session is an httpOnly, SameSite=Strict cookie the page cannot read.
  const cookies = await context.cookies(stack.baseUrl + '/api/v1/admin');
  const session = cookies.find((c) => c.httpOnly);
  expect(session?.sameSite).toBe('Strict');
  expect(await page.evaluate(() => document.cookie)).toBe('');

  // Keyboard navigation: the link is reachable by Tab and focus lands on the new page's heading.
  const auditLink = page.getByRole('link', { name: 'Audit' });
  for (let i = 0; i < 20 && !(await auditLink.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(auditLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeFocused();

  // Client-side routes survive a reload (the server answers index.html for them).
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();

  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('dialog', { name: 'Sign out?' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Login name')).toBeFocused();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('every page is served under the strict CSP without violations', async ({ page, stack, pageErrors }) => {
  const response = await page.goto(`${stack.baseUrl}/console/`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  for (const title of [
    'Access Requests',
    'Generate Password',
    'Client Sessions',
    'Clients',
    'Offline Unlock',
    'Settings',
    'Users',
    'Audit',
  ]) {
    await page.getByRole('link', { name: title }).click();
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await expect(page.locator('.state-loading')).toHaveCount(0);
    await expectAxeClean(page, title);
  }
  expect(pageErrors).toEqual([]);
});

import { expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';

test('the Clients toggle turns one-time passwords off for that computer only', async ({ page, stack, pageErrors }) => {
  const kiosk = await stack.enrollClient('PC-KIOSK-03');
  const office = await stack.enrollClient('PC-OFFICE-12');
  await kiosk.client(routes.getPolicy, {}); // a Client that has been seen
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Clients');

  const row = page.getByRole('row').filter({ hasText: 'PC-KIOSK-03' });
  const toggle = row.getByLabel('Allow the use of one-time passwords');
  await expect(toggle).toBeChecked();
  await expect(page.getByRole('row').filter({ hasText: 'PC-OFFICE-12' })).toContainText('never');
  await screenshot(page, 'clients');
  await expectAxeClean(page, 'clients');

  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('status')).toContainText('not allowed on PC-KIOSK-03');
  await expect(toggle).not.toBeChecked();
  // The switch is disabled while the change is saved; keyboard focus comes back to it, not to <body>.
  await expect(toggle).toBeFocused();
  expect((await kiosk.client(routes.getPolicy, {})).allowOneTimePasswords).toBe(false);
  expect((await office.client(routes.getPolicy, {})).allowOneTimePasswords).toBe(true);

  await page.reload();
  await expect(
    page.getByRole('row').filter({ hasText: 'PC-KIOSK-03' }).getByLabel('Allow the use of one-time passwords'),
  ).not.toBeChecked();
  expect(pageErrors).toEqual([]);
});

test('Settings shows clear validation errors, saves, and the Client policy follows', async ({ page, stack, pageErrors }) => {
  const { client } = await stack.enrollClient('PC-POLICY-01');
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');

  const expiration = page.getByLabel('Access Request Expiration Time');
  await expect(expiration).toHaveValue('30');
  await expiration.fill('0');
  await page.getByLabel('One-time password length').fill('12');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Correct the highlighted fields');
  await expect(page.getByText('Enter a whole number from 1 to 1440.')).toBeVisible();
  await expect(page.getByText('Enter a whole number from 6 to 10.')).toBeVisible();
  await expect(expiration).toHaveAttribute('aria-invalid', 'true');
  await expect(expiration).toBeFocused();
  await screenshot(page, 'settings-errors');
  await expectAxeClean(page, 'settings-errors');
  // Nothing was saved.
  expect((await client(routes.getPolicy, {})).accessRequestExpirationMinutes).toBe(30);

  await expiration.fill('45');
  await page.getByLabel('Interval between new one-time passwords').fill('15');
  await page.getByLabel('One-time password length').fill('6');
  await page.getByLabel('Maximum verification attempts').fill('3');
  await page.getByLabel('Automatically send one-time passwords to internal users').check();
  await page.getByLabel('Allow the use of one-time passwords').uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Settings saved');
  await expect(page.getByText('Enter a whole number')).toHaveCount(0);
  await screenshot(page, 'settings');
  await expectAxeClean(page, 'settings');

  const policy = await client(routes.getPolicy, {});
  expect(policy).toMatchObject({
    accessRequestExpirationMinutes: 45,
    otpRequestIntervalMinutes: 15,
    otpLength: 6,
    autoSendToInternalUsers: true,
    autoSendToDirectoryUsers: false,
    allowOneTimePasswords: true,
  });
  // The default applies to computers enrolled from now on.
  const late = await stack.enrollClient('PC-POLICY-02');
  expect((await late.client(routes.getPolicy, {})).allowOneTimePasswords).toBe(false);
  expect((await stack.admin(routes.getSettings, {})).maxVerifyAttempts).toBe(3);

  await page.reload();
  await expect(page.getByLabel('Access Request Expiration Time')).toHaveValue('45');
  await expect(page.getByLabel('Automatically send one-time passwords to internal users')).toBeChecked();
  expect(pageErrors).toEqual([]);
});

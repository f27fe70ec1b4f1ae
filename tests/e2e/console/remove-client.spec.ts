import { expect, test } from '../support/fixtures.ts';
import AxeBuilder from '@axe-core/playwright';
import { ApiError, routes } from '@latchkey/contracts';
import { openPage, screenshot, signIn } from './console-helpers.ts';

test('Remove client: duplicate names are flagged, a keyboard-only confirmation removes the rogue one and its token stops working', async ({
  page,
  stack,
  pageErrors,
}) => {
  const real = await stack.enrollClient('PC-FINANCE-01');
  const rogue = await stack.enrollClient('PC-FINANCE-01');
  const pending = await rogue.client(routes.createOtpRequest, {
    body: { osUser: 'CORP\\ceo', method: 'email', email: 'attacker@corp.example.com' },
  });

  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Clients');
  const rows = page.getByRole('row').filter({ hasText: 'PC-FINANCE-01' });
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('Duplicate name');
  await expect(rows.first()).toContainText('127.0.0.1');
  await screenshot(page, 'clients-duplicate-name');

  // Cancel first: Escape closes the dialog and focus goes back to the button that opened it.
  const rogueRow = rows.nth(1);
  const removeButton = rogueRow.getByRole('button', { name: 'Remove PC-FINANCE-01' });
  await removeButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Remove PC-FINANCE-01?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await screenshot(page, 'clients-remove-dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(removeButton).toBeFocused();
  await expect(rows).toHaveCount(2);

  // Now confirm, with the keyboard only.
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Remove computer' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('Removed PC-FINANCE-01');
  await expect(dialog).toHaveCount(0);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).not.toContainText('Duplicate name');
  // Focus is not lost: it lands on the result.
  await expect(page.locator('.notice-anchor')).toBeFocused();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  // Which one went: the rogue's token is refused, the real one still works, the rogue's request was denied.
  const refused = await rogue.client(routes.getPolicy, {}).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApiError);
  expect((refused as ApiError).status).toBe(401);
  expect((await real.client(routes.getPolicy, {})).computerName).toBe('PC-FINANCE-01');
  const requests = await stack.admin(routes.listAccessRequests, { query: {} });
  expect(requests.find((r) => r.requestId === pending.requestId)?.status).toBe('denied');
  expect(pageErrors).toEqual([]);
});

test('the console refuses a name with a hidden character before sending it, as the server would', async ({ page, stack, pageErrors }) => {
  await stack.enrollClient('PC-RECEPTION-09');
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Generate Password');
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/admin/otp')) sent.push(request.method());
  });

  await page.getByLabel('Client').selectOption({ label: 'PC-RECEPTION-09' });
  await page.getByLabel('User', { exact: true }).fill('CORP\\mlopez\u200b');
  await page.getByLabel('Email').fill('mlopez@corp.example.com');
  await page.getByRole('button', { name: 'Generate Password' }).click();
  await expect(page.getByRole('alert')).toContainText('osUser is not valid');
  await expect(page.getByRole('alert')).toContainText('invisible or control characters');
  expect(sent).toEqual([]);
  expect(pageErrors).toEqual([]);
});

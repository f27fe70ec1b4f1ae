import { expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';

test('Audit lists events newest first and filters by type, computer, user and time', async ({ page, stack, pageErrors }) => {
  const { client, clientId } = await stack.enrollClient('PC-AUDIT-05');
  await stack.enrollClient('PC-OTHER-06');
  await client(routes.createOtpRequest, { body: { osUser: 'CORP\\auditee', method: 'email', email: 'auditee@corp.example.com' } });
  await stack.admin(routes.generateOtp, {
    body: { clientId, osUser: 'CORP\\gen.user', email: 'gen.user@corp.example.com', comment: 'audit test' },
  });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Audit');

  const table = page.getByRole('table', { name: 'Audit events, newest first' });
  await expect(table.getByRole('row').nth(1)).toContainText('admin.login');
  await expect(table.getByRole('row').nth(1)).toContainText('Signed in to the Management Tool');
  await expectAxeClean(page, 'Audit');
  await screenshot(page, 'audit');

  // The type filter offers words, with the code for those who know it.
  await expect(page.getByLabel('Event type').locator('option[value="client.enrolled"]')).toHaveText('Client enrolled (client.enrolled)');
  await page.getByLabel('Event type').selectOption('client.enrolled');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('row').nth(1)).toContainText('PC-OTHER-06');
  await expect(table.getByRole('row').nth(2)).toContainText('PC-AUDIT-05');

  await page.getByLabel('Computer').fill('AUDIT-05');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('User').fill('gen.user');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(table).toContainText('otp.generated');
  await expect(table).not.toContainText('auditee');

  // A time window entirely in the future has nothing.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('From').fill('2099-01-01T00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No events match these filters.')).toBeVisible();
  await page.getByLabel('To').fill('2098-01-01T00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('alert')).toHaveText('“From” must be before “To”.');
  expect(pageErrors).toEqual([]);
});

import { otpFromMail, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';
import { testNonce } from '@latchkey/test-support';

test('Generate Password mails an OTP that unlocks the chosen computer for that user', async ({ page, stack, pageErrors }) => {
  const { client } = await stack.enrollClient('PC-RECEPTION-02');
  await stack.enrollClient('PC-WAREHOUSE-11');
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Generate Password');

  // Validation first: nothing chosen, a bad address.
  await page.getByLabel('Email').fill('not-an-address');
  await page.getByRole('button', { name: 'Generate Password' }).click();
  await expect(page.getByText('Choose the computer.')).toBeVisible();
  await expect(page.getByText('Enter one valid email address.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expectAxeClean(page, 'Generate Password with validation errors');

  await page.getByLabel('Client').selectOption({ label: 'PC-RECEPTION-02' });
  await page.getByLabel('User', { exact: true }).fill('CORP\\mlopez');
  await page.getByLabel('Email').fill('mlopez@corp.example.com');
  await page.getByLabel('Comment').fill('Ticket 4711, identity checked by phone');
  await screenshot(page, 'generate-password');
  await expectAxeClean(page, 'generate-password');
  await page.getByRole('button', { name: 'Generate Password' }).click();
  await expect(page.getByRole('status')).toContainText('was emailed to mlopez@corp.example.com');

  const mail = await stack.mailbox.waitFor((m) => m.to.includes('mlopez@corp.example.com'));
  const otp = otpFromMail(mail);
  const verified = await client(routes.verifyOtp, {
    body: { osUser: 'CORP\\mlopez', email: 'mlopez@corp.example.com', otp, nonce: testNonce() },
  });
  expect(verified.allowed).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('Client Sessions shows "<osUser> (<email>)", active sessions first, with search and pages', async ({ page, stack, pageErrors }) => {
  const { client } = await stack.enrollClient('PC-SESSIONS-01');
  // 22 ended sessions and one active one started before them: the active one still comes first.
  const open = async (osUser: string, email: string) => {
    await stack.admin(routes.generateOtp, { body: { clientId: (await clientIdOf('PC-SESSIONS-01'))!, osUser, email } });
    const mail = await stack.mailbox.waitFor((m) => m.to.includes(email) && !used.has(m.raw));
    used.add(mail.raw);
    return client(routes.verifyOtp, { body: { osUser, email, otp: otpFromMail(mail), nonce: testNonce() } });
  };
  const used = new Set<string>();
  const clientIdOf = async (name: string) => (await stack.admin(routes.listClients, {})).find((c) => c.computerName === name)?.clientId;

  await open('CORP\\active.user', 'active.user@corp.example.com');
  for (let i = 0; i < 22; i++) {
    const session = await open(`CORP\\temp${i}`, `temp${i}@corp.example.com`);
    await client(routes.endSession, { params: { sessionId: session.sessionId } });
  }

  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Client Sessions');
  const table = page.getByRole('table');
  const firstRow = table.getByRole('row').nth(1);
  await expect(firstRow).toContainText('CORP\\active.user (active.user@corp.example.com)');
  await expect(firstRow).toContainText('Active');
  await expect(table.getByRole('columnheader', { name: 'User Name' })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(21);
  await screenshot(page, 'client-sessions');
  await expectAxeClean(page, 'client-sessions');

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  // Sessions from the first test plus the rest of this one: 24 in all, 20 on page one.
  await expect(table.getByRole('row')).toHaveCount(5);
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();

  await page.getByLabel('Search').fill('mlopez');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('CORP\\mlopez (mlopez@corp.example.com)');
  await expect(table).toContainText('Generated');
  await expect(table).toContainText('PC-RECEPTION-02');

  await page.getByLabel('Search').fill('nobody-matches-this');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByText('No sessions match')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

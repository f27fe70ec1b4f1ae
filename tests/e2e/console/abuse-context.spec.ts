import { otpFromMail, expect, test } from '../support/fixtures.ts';
import AxeBuilder from '@axe-core/playwright';
import { routes } from '@latchkey/contracts';
import { openPage, signIn } from './console-helpers.ts';
import { testNonce } from '@latchkey/test-support';

test('an admin links Windows accounts to an internal user when creating and editing them', async ({ page, stack, pageErrors }) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Users');
  const create = page.getByRole('region', { name: 'Create user' });
  await create.getByLabel('Login name').fill('bob');
  await create.getByLabel('Email').fill('bob@corp.example.com');
  await create.getByLabel('Role').selectOption('user');
  await create.getByLabel('Password').fill('bob-password-01');
  await create.getByLabel('Windows accounts (optional)').fill('CORP\\bob.admin\nkiosk');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toHaveText('Created bob (user).');
  const row = page.getByRole('row').filter({ hasText: 'bob@corp.example.com' });
  await expect(row).toContainText('CORP\\bob.admin, kiosk');

  await row.getByRole('button', { name: 'Edit' }).click();
  const accounts = row.getByLabel('Windows accounts of bob');
  await expect(accounts).toHaveValue('CORP\\bob.admin\nkiosk');
  await accounts.fill('CORP\\front-desk, CORP\\front-desk');
  await page.keyboard.press('Tab');
  await row.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved the changes to bob.');
  await expect(row).toContainText('CORP\\front-desk');
  await expect(row).not.toContainText('kiosk');
  const users = await stack.admin(routes.listUsers, {});
  expect(users.find((u) => u.login === 'bob')?.windowsAccounts).toEqual(['CORP\\front-desk']);

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('Access Requests warns when a request asks for an email the user never used, and lists the known ones', async ({
  page,
  stack,
  pageErrors,
}) => {
  const { clientId, client } = await stack.enrollClient('PC-CTX-01');
  // dana unlocked this computer before with her usual address
  await stack.admin(routes.generateOtp, { body: { clientId, osUser: 'CORP\\dana', email: 'dana@corp.example.com' } });
  const otp = otpFromMail(await stack.mailbox.waitFor((m) => m.to.includes('dana@corp.example.com')));
  expect(
    (await client(routes.verifyOtp, { body: { osUser: 'CORP\\dana', email: 'dana@corp.example.com', otp, nonce: testNonce() } })).allowed,
  ).toBe(true);

  await client(routes.createOtpRequest, {
    body: { osUser: 'CORP\\dana', method: 'emergency', email: 'dana.private@mail.example.net', reason: 'phone lost' },
  });
  const usual = await stack.enrollClient('PC-CTX-02');
  await usual.client(routes.createOtpRequest, { body: { osUser: 'CORP\\dana', method: 'email', email: 'dana@corp.example.com' } });

  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  const table = page.getByRole('table', { name: 'Pending access requests' });
  const suspicious = table.getByRole('row').filter({ hasText: 'dana.private@mail.example.net' });
  const known = table.getByRole('row').filter({ hasText: 'PC-CTX-02' });
  await expect(suspicious.getByTestId('new-email-warning')).toHaveText(/^New email:/, { timeout: 15_000 });
  await expect(suspicious).toContainText('Known emails: dana@corp.example.com');
  await expect(known).toContainText('Known emails: dana@corp.example.com');
  await expect(known.getByTestId('new-email-warning')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: /^Pending \(\d+\)$/ })).toBeVisible();

  const axe = await new AxeBuilder({ page }).include('main').analyze();
  expect(axe.violations).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('Settings limits email addresses to the allowed domains, and checks each domain before saving', async ({
  page,
  stack,
  pageErrors,
}) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');
  const domains = page.getByLabel('Allowed email domains');
  await domains.fill('corp.example.com\nnot a domain');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('"not a domain" is not a domain name')).toBeVisible();
  await expect(domains).toBeFocused();
  await domains.fill('Corp.Example.com, branch.example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Settings saved.');
  expect((await stack.admin(routes.getSettings, {})).allowedEmailDomains).toEqual(['corp.example.com', 'branch.example.com']);
  const { client } = await stack.enrollClient('PC-DOMAINS');
  await expect(
    client(routes.createOtpRequest, { body: { osUser: 'CORP\\eve', method: 'emergency', email: 'eve@mail.example.net' } }),
  ).rejects.toMatchObject({ code: 'email_domain_not_allowed' });
  await stack.admin(routes.putSettings, { body: { allowedEmailDomains: [] } });
  expect(pageErrors).toEqual([]);
});

test('a flood that fills the pending page still shows how many requests wait, newest first', async ({ page, stack, pageErrors }) => {
  // 41 Clients × 5 open requests (the cap per Client) = 205 pending: more than the 200 the list holds.
  // Earlier tests of this file may have left requests pending on the file's server: count them too.
  const before = (await stack.admin(routes.listAccessRequests, { query: { status: 'pending', limit: '1000' } })).length;
  const flood = 41 * 5;
  for (let c = 0; c < 41; c++) {
    const { client } = await stack.enrollClient(`PC-FLOOD-${String(c).padStart(2, '0')}`);
    for (let r = 0; r < 5; r++) {
      await client(routes.createOtpRequest, {
        body: { osUser: `CORP\\flood${c}-${r}`, method: 'emergency', email: `flood${c}.${r}@corp.example.com` },
      });
    }
  }
  const { client: real } = await stack.enrollClient('PC-REAL-01');
  await real(routes.createOtpRequest, { body: { osUser: 'CORP\\realuser', method: 'emergency', email: 'real.user@corp.example.com' } });

  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Access Requests');
  const total = before + flood + 1;
  await expect(page.getByRole('heading', { name: `Pending (${total})` })).toBeVisible();
  await expect(page.getByText(`Showing the newest 200 of ${total}.`)).toBeVisible();
  await expect(page.getByRole('link', { name: /Access Requests/ }).getByLabel(`${total} pending`)).toBeVisible();
  // The real request is the newest, so it is on the page and first.
  await expect(page.getByRole('table', { name: 'Pending access requests' }).getByRole('row').nth(1)).toContainText('CORP\\realuser');
  expect(pageErrors).toEqual([]);
});

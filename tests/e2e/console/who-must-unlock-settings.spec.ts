import { expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, signIn } from './console-helpers.ts';

const ACCOUNTS = 'Exempt accounts — never locked (one per line: DOMAIN\\name, name, or .\\name for a local account)';
const GROUPS = 'Exempt directory groups — members never locked, nested groups included (one per line: group name or DN)';
const LOCAL = 'Lock local logons';
const REMOTE = 'Lock remote logons (Remote Desktop)';
const CONTACT = 'Helpdesk contact — shown on the lock and at the end of every mail (up to 200 characters)';

test('Settings: who must unlock, validated from the contract, saved and in the Client policy', async ({ page, stack, pageErrors }) => {
  const { client } = await stack.enrollClient('PC-SCOPE-01');
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');

  await expect(page.getByRole('group', { name: 'Who must unlock, and when' })).toBeVisible();
  await expect(page.getByLabel(LOCAL)).toBeChecked();
  await expect(page.getByLabel(REMOTE)).toBeChecked();

  // Wrong entries are named next to their field, and nothing is saved.
  await page.getByLabel(ACCOUNTS).fill('CORP\\svc-backup\nalice@corp.example.com');
  await page.getByLabel(LOCAL).uncheck();
  await page.getByLabel(REMOTE).uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Correct the highlighted fields');
  await expect(page.getByText('"alice@corp.example.com" is not DOMAIN\\name, name or .\\name.')).toBeVisible();
  await expect(page.getByText('with neither, Latchkey would protect nothing')).toBeVisible();
  await expectAxeClean(page, 'Settings with wrong exemptions');
  expect((await client(routes.getPolicy, {})).exemptAccounts).toEqual([]);

  await page.getByLabel(ACCOUNTS).fill('CORP\\svc-backup\n.\\breakglass');
  await page.getByLabel(GROUPS).fill('CN=Break Glass,OU=Groups,DC=corp,DC=example');
  await page.getByLabel(REMOTE).check();
  await page.getByLabel(CONTACT).fill('IT helpdesk: +49 30 1234-567');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Settings saved');
  expect(await client(routes.getPolicy, {})).toMatchObject({
    lockLocalLogons: false,
    lockRemoteLogons: true,
    exemptAccounts: ['CORP\\svc-backup', '.\\breakglass'],
    helpdeskContact: 'IT helpdesk: +49 30 1234-567',
  });

  await page.reload();
  await expect(page.getByLabel(GROUPS)).toHaveValue('CN=Break Glass,OU=Groups,DC=corp,DC=example');
  await expect(page.getByLabel(LOCAL)).not.toBeChecked();
  expect(pageErrors).toEqual([]);
});

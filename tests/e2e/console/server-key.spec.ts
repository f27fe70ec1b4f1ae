import { expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { openPage, signIn } from './console-helpers.ts';

test('Settings shows the server signing key and its fingerprint, the same the enroll answer gives Clients', async ({
  page,
  stack,
  pageErrors,
}) => {
  const { client } = await stack.enrollClient('PC-KEY-01');
  await client(routes.getPolicy, {});
  const key = await stack.admin(routes.getServerKey, {});
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');
  const card = page.getByRole('region', { name: 'Server signing key' });
  await expect(card).toContainText(key.fingerprint);
  await expect(card).toContainText(key.publicKey);
  await expect(card.getByRole('textbox')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

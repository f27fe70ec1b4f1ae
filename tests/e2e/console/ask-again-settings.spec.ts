import { expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, signIn } from './console-helpers.ts';

const ASK_AGAIN = 'Ask for a one-time password again when the session is unlocked, reconnected or resumed';
const GRACE = 'Do not ask again within this many minutes of the last unlock of this user on this computer';

test('Settings: asking again on unlock and its grace minutes, validated, saved and in the Client policy', async ({
  page,
  stack,
  pageErrors,
}) => {
  const { client } = await stack.enrollClient('PC-ASK-AGAIN-01');
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');

  const askAgain = page.getByLabel(ASK_AGAIN);
  const grace = page.getByLabel(GRACE);
  await expect(askAgain).toBeChecked();
  await expect(grace).toHaveValue('0');

  await grace.fill('481');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Correct the highlighted fields');
  await expect(page.getByText('Enter a whole number from 0 to 480.')).toBeVisible();
  await expect(grace).toBeFocused();
  await expectAxeClean(page, 'Settings with a wrong grace value');
  expect((await client(routes.getPolicy, {})).unlockGraceMinutes).toBe(0);

  await grace.fill('30');
  await askAgain.focus();
  await page.keyboard.press('Space');
  await expect(askAgain).not.toBeChecked();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Settings saved');
  expect(await client(routes.getPolicy, {})).toMatchObject({ askAgainOnUnlock: false, unlockGraceMinutes: 30 });

  await page.reload();
  await expect(page.getByLabel(GRACE)).toHaveValue('30');
  await expect(page.getByLabel(ASK_AGAIN)).not.toBeChecked();
  expect(pageErrors).toEqual([]);
});

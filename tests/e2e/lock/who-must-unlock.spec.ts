import { expect, test, OS_USER } from '../support/fixtures.ts';
import { expectAxeClean, expectUnlocked, openLock, previewUrl } from './lock-helpers.ts';

/**
 * "Who must unlock, and when" in the preview (a lock without a guard asks the real server's
 * lock-decision at start): an exempt account is never locked, remote-only protection leaves the
 * console alone, everyone else is locked.
 */
test.describe('an exempt account', () => {
  test.use({ settings: { exemptAccounts: [OS_USER] } });

  test('is not locked: the server signs "no lock", the lock checks it and opens', async ({ page, stack }) => {
    await page.goto(previewUrl(stack, 'PC-EXEMPT'));
    await expectUnlocked(page);
    await expectAxeClean(page, 'exempt account, not locked');
  });
});

test.describe('remote logons only', () => {
  test.use({ settings: { lockLocalLogons: false, lockRemoteLogons: true } });

  test('a console logon is left alone, a Remote Desktop logon is locked', async ({ page, stack }) => {
    await page.goto(`${previewUrl(stack, 'PC-CONSOLE')}&logon=local`);
    await expectUnlocked(page);
    await page.goto(`${previewUrl(stack, 'PC-RDP')}&logon=remote`);
    await expect(page.getByRole('dialog', { name: 'A one-time password is required' })).toBeVisible();
  });
});

test('everyone else is locked', async ({ page, stack }) => {
  const lock = await openLock(page, stack, 'PC-EVERYONE');
  await expect(lock).toBeVisible();
});

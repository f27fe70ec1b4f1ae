import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { SCREENSHOT_DIR, expect, test, type AppStack } from '../support/fixtures.ts';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup } from './lock-helpers.ts';

/**
 * Asking again when the session comes back (issue 9): the preview's simulated session events drive
 * the same gate as Electron's powerMonitor and second-instance events.
 */
let mails = 0;
test.use({
  users: { rosa: { password: 'rosa-password-1', email: 'rosa@corp.example.com' } },
  // The default interval (60 minutes) stays: a re-lock must not be refused by it.
  interval: null,
  settings: { autoSendToInternalUsers: true },
});

async function unlockWithNewOtp(page: Page, stack: AppStack): Promise<void> {
  const lock = lockPopup(page);
  const request = requestPopup(page);
  await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
  await request.getByLabel('Login name').fill('rosa');
  await request.getByLabel('Password', { exact: true }).fill('rosa-password-1');
  await request.getByRole('button', { name: 'Request' }).click();
  await expect(lock.getByRole('status')).toContainText('has been sent to rosa@corp.example.com');
  mails += 1;
  await logIn(page, await stack.otpFor('rosa@corp.example.com', mails));
  await expectUnlocked(page);
}

const EVENTS = [
  { button: 'Simulate Windows unlock', because: 'because Windows was unlocked' },
  { button: 'Simulate remote reconnect', because: 'because the session was connected again' },
  { button: 'Simulate resume from sleep', because: 'because the computer woke from sleep' },
];

for (const [index, { button, because }] of EVENTS.entries()) {
  test(`"${button}" locks an unlocked session again, and a new OTP at the default interval unlocks it`, async ({
    page,
    stack,
    pageErrors,
  }) => {
    await openLock(page, stack, `PC-RELOCK-0${index + 1}`);
    await unlockWithNewOtp(page, stack);

    const simulate = page.getByRole('complementary', { name: 'Preview: session events' }).getByRole('button', { name: button });
    await simulate.click();
    const lock = lockPopup(page);
    await expect(lock).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
    await expect(lock.getByRole('status')).toContainText(`locked again ${because}`);
    await expect(page.getByRole('status').filter({ hasText: `${button}: locked again.` })).toBeVisible();
    // The keyboard is in the lock card again, on what comes next (a new code), not on an empty code field.
    await expect(lock.getByRole('button', { name: 'Request One-Time Password' })).toBeFocused();
    await expect(lock.getByLabel('One-time password')).toHaveValue('');
    if (index === 0) await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-relocked.png` });
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => v.id)).toEqual([]);

    // Within the 60-minute interval of the first OTP: the re-lock allowance lets this one through.
    await unlockWithNewOtp(page, stack);
    expect(pageErrors).toEqual([]);
  });
}

test('within the grace minutes of the last unlock an event does not lock again; after them it does', async ({ page, stack }) => {
  // One grace minute: the page's clock runs ahead of the server's by what the test skips, and a
  // verdict more than 5 minutes off the Client's clock is refused as stale (signed verdicts).
  await stack.settings({ unlockGraceMinutes: 1 });
  await page.clock.install();
  await openLock(page, stack, 'PC-RELOCK-GRACE');
  await unlockWithNewOtp(page, stack);
  const controls = page.getByRole('complementary', { name: 'Preview: session events' });

  await page.clock.fastForward('00:50');
  await controls.getByRole('button', { name: 'Simulate remote reconnect' }).click();
  await expect(controls.getByRole('status')).toHaveText(
    'Simulate remote reconnect: not locked again (within the grace minutes of the last unlock).',
  );
  await expectUnlocked(page);

  await page.clock.fastForward('00:11');
  await controls.getByRole('button', { name: 'Simulate Windows unlock' }).click();
  await expect(lockPopup(page)).toBeVisible();
  await expect(controls.getByRole('status')).toHaveText('Simulate Windows unlock: locked again.');
  await unlockWithNewOtp(page, stack);
});

test('asking again turned off: no event locks again', async ({ page, stack }) => {
  await stack.settings({ askAgainOnUnlock: false });
  await openLock(page, stack, 'PC-RELOCK-OFF');
  await unlockWithNewOtp(page, stack);
  const controls = page.getByRole('complementary', { name: 'Preview: session events' });
  for (const { button } of EVENTS) {
    await controls.getByRole('button', { name: button }).click();
    await expect(controls.getByRole('status')).toHaveText(`${button}: not locked again (asking again is turned off).`);
    await expectUnlocked(page);
  }
});

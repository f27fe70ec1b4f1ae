import { OS_USER, SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup, expectAxeClean, expectFocusInDialog } from './lock-helpers.ts';

// The preview's osUser is not gus's login: link it so the internal method may send him its code.
test.use({
  users: { gus: { password: 'gus-password-1', email: 'gus@corp.example.com', windowsAccounts: [OS_USER] } },
  interval: 60,
  settings: { autoSendToInternalUsers: true },
});

test('a second request within the interval shows when a new one is possible and offers Resend of the same code', async ({
  page,
  stack,
}) => {
  await openLock(page, stack, 'PC-INTERVAL-01');
  const lock = lockPopup(page);
  const request = requestPopup(page);
  await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
  await request.getByLabel('Login name').fill('gus');
  await request.getByLabel('Password', { exact: true }).fill('gus-password-1');
  await request.getByRole('button', { name: 'Request' }).click();
  await expect(lock.getByRole('status')).toContainText('has been sent to gus@corp.example.com');
  const first = await stack.otpFor('gus@corp.example.com');

  await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
  await request.getByLabel('Login name').fill('gus');
  await request.getByLabel('Password', { exact: true }).fill('gus-password-1');
  await request.getByRole('button', { name: 'Request' }).click();
  await expect(request.getByRole('status')).toHaveText(
    'A new one-time password for this computer can be requested in 60 minutes. You can resend the one already sent.' +
      ' If you cannot wait, choose “I need emergency access to computer”: that request goes to the helpdesk, whatever the interval.',
  );
  // Internal mode has the emergency checkbox in its form: that is the one way offered, and it has the focus.
  await expect(request.getByRole('button', { name: 'I need emergency access to computer' })).toBeHidden();
  await expect(request.getByLabel('I need emergency access to computer')).toBeFocused();
  await expect(request.getByText(/You can request a new one-time password at \d{1,2}:\d{2}/)).toBeVisible();
  await expectAxeClean(page, 'request, interval refusal with Resend');

  await request.getByRole('button', { name: 'Resend' }).click();
  await expect(lock.getByRole('status')).toHaveText('The one-time password has been sent to gus@corp.example.com again.');
  const second = await stack.otpFor('gus@corp.example.com', 2);
  expect(second).toBe(first);

  // The lock pop-up offers Resend too while the code is valid, and a reload keeps it.
  await page.reload();
  await expect(lock.getByLabel('Email')).toHaveValue('gus@corp.example.com');
  await expect(lock.getByRole('button', { name: 'Resend' })).toBeVisible();
  await logIn(page, first);
  await expectUnlocked(page);
});

test('server unreachable: stays locked, says so, retries, and recovers', async ({ page, stack }) => {
  await openLock(page, stack, 'PC-OFFLINE-01');
  const lock = lockPopup(page);
  await lock.getByLabel('Email').fill('gus@corp.example.com');

  // The network goes away under the page (every API call fails as a dropped connection).
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await logIn(page, '12345678');
  await expect(lock.getByRole('status')).toContainText('The Latchkey server cannot be reached, so this computer stays locked.');
  // The countdown counts: it is read again a second or more later and has gone down.
  const countdown = lock.locator('#lock-retry');
  await expect(countdown).toHaveText(/^Trying again in \d+ seconds?\.$|^Trying again now\.$/);
  const first = await countdown.textContent();
  const seconds = (text: string | null) => Number(/in (\d+)/.exec(text ?? '')?.[1] ?? 0);
  // (From 3 up: a countdown of 2 may reach its retry, and the next one start higher, between two polls.)
  if (seconds(first) >= 3)
    await expect.poll(async () => seconds(await countdown.textContent()), { timeout: 3_000 }).toBeLessThan(seconds(first));
  await expectFocusInDialog(page);
  await expect(lock.getByRole('button', { name: 'Try again now' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
  await expectAxeClean(page, 'lock-server-unreachable');
  await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-server-unreachable.png` });

  await lock.getByRole('button', { name: 'Try again now' }).click();
  await expect(lock.getByRole('status')).toContainText('cannot be reached');

  await page.unroute('**/api/v1/**');
  await lock.getByRole('button', { name: 'Try again now' }).click();
  await expect(lock.getByRole('button', { name: 'Try again now' })).toBeHidden();
  await expect(lock.getByRole('status')).toBeHidden();
  await logIn(page, '12345678');
  await expect(lock.getByRole('status')).toContainText('Access denied');
});

test.describe('with a server of its own', () => {
  // This test stops the server process, which the file's other tests share.
  test.use({ ownStack: true });

  test('the server process stopping leaves the page locked', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-OFFLINE-02');
    await stack.stop();
    const lock = lockPopup(page);
    await lock.getByLabel('Email').fill('gus@corp.example.com');
    await logIn(page, '12345678');
    await expect(lock.getByRole('status')).toContainText('cannot be reached');
    await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
  });
});

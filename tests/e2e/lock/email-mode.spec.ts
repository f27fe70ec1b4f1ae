import { OS_USER, SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup, wrongCode, expectAxeClean } from './lock-helpers.ts';

test.describe('email mode (neither auto option): request, approval, log in', () => {
  test('the lock pop-up has the labelled fields and buttons', async ({ page, stack, pageErrors }) => {
    const popup = await openLock(page, stack, 'PC-EMAIL-01');
    await expect(popup.getByRole('heading', { name: 'A one-time password is required' })).toBeVisible();
    await expect(popup.getByLabel('Email')).toBeEditable();
    await expect(popup.getByLabel('One-time password')).toBeEditable();
    for (const name of ['Log in', 'Request One-Time Password', 'Sign out']) await expect(popup.getByRole('button', { name })).toBeVisible();
    await expect(popup).toContainText(`PC-EMAIL-01 is locked for ${OS_USER}`);
    await expect(popup.getByLabel('Email')).toBeFocused();
    await expectAxeClean(page, 'lock-popup');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-popup.png` });
    expect(pageErrors).toEqual([]);
  });

  test('a person requests by email, waits for approval with live status, and logs in by keyboard alone', async ({
    page,
    stack,
    pageErrors,
  }) => {
    await openLock(page, stack, 'PC-EMAIL-02');
    const lock = lockPopup(page);

    // Keyboard only: Tab from the email field to the request button.
    await page.keyboard.press('Tab'); // One-time password
    await page.keyboard.press('Tab'); // Log in
    await page.keyboard.press('Tab'); // Request One-Time Password
    await expect(lock.getByRole('button', { name: 'Request One-Time Password' })).toBeFocused();
    await page.keyboard.press('Enter');

    const request = requestPopup(page);
    await expect(request).toBeVisible();
    await expect(request.getByLabel('Email')).toBeFocused();
    await expect(request.getByLabel('Login name')).toBeHidden();
    await expect(request.getByLabel('I need emergency access to computer')).toBeHidden();
    await expectAxeClean(page, 'lock-request-email');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-email.png` });

    await page.keyboard.type('not an email');
    await page.keyboard.press('Enter');
    await expect(request.getByRole('status')).toHaveText('Enter a valid email address, like name@example.com.');

    await request.getByLabel('Email').fill('alice@corp.example.com');
    await page.keyboard.press('Enter');

    await expect(lock).toBeVisible();
    await expect(lock.getByRole('status')).toContainText('waiting for approval');
    await expect(lock.getByLabel('Email')).toHaveValue('alice@corp.example.com');
    await expect(lock.getByLabel('Email')).not.toBeEditable();
    // Nothing was sent yet: focus goes back to the button that opened the request, not to an empty code field.
    await expect(lock.getByRole('button', { name: 'Request One-Time Password' })).toBeFocused();
    await expectAxeClean(page, 'lock-waiting-for-approval');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-waiting-for-approval.png` });

    const requestId = await stack.pendingRequestId('alice@corp.example.com');
    await stack.admin(routes.approveAccessRequest, { params: { requestId }, body: {} });
    await expect(lock.getByRole('status')).toHaveText(
      'A one-time password has been sent to alice@corp.example.com. Enter it below to log in.',
      { timeout: 15_000 },
    );
    // The code has arrived: the field for it has the focus.
    await expect(lock.getByLabel('One-time password')).toBeFocused();
    await expectAxeClean(page, 'lock-otp-sent');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-otp-sent.png` });

    const code = await stack.otpFor('alice@corp.example.com');
    await page.keyboard.type(wrongCode(code));
    await page.keyboard.press('Enter');
    // v1.2: the status of the request says how many attempts are left.
    await expect(lock.getByRole('status')).toHaveText(
      /^Access denied: that code is wrong\. \d attempts left for this one-time password\.$/,
    );
    // The wrong code stays, selected: typing the right one replaces it.
    await expect(lock.getByLabel('One-time password')).toHaveValue(wrongCode(code));
    await expect(lock.getByLabel('One-time password')).toBeFocused();
    await expectAxeClean(page, 'lock-access-denied');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-access-denied.png` });

    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await expectUnlocked(page);
    await expectAxeClean(page, 'lock-unlocked');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-unlocked.png` });

    const sessions = await stack.admin(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ computerName: 'PC-EMAIL-02', userName: `${OS_USER} (alice@corp.example.com)`, endedAt: null });
    expect(pageErrors).toEqual([]);
  });

  test('a used code does not unlock a second time', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-EMAIL-03');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    await requestPopup(page).getByLabel('Email').fill('bob@corp.example.com');
    await requestPopup(page).getByRole('button', { name: 'Request' }).click();
    const requestId = await stack.pendingRequestId('bob@corp.example.com');
    await stack.admin(routes.approveAccessRequest, { params: { requestId }, body: {} });
    const code = await stack.otpFor('bob@corp.example.com');
    await logIn(page, code);
    await expectUnlocked(page);

    await page.evaluate(() => sessionStorage.clear());
    await openLock(page, stack, 'PC-EMAIL-03');
    await lockPopup(page).getByLabel('Email').fill('bob@corp.example.com');
    await logIn(page, code);
    await expect(lockPopup(page).getByRole('status')).toContainText('Access denied');
  });

  test('a denied request says so', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-EMAIL-04');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    await requestPopup(page).getByLabel('Email').fill('carol@corp.example.com');
    await requestPopup(page).getByRole('button', { name: 'Request' }).click();
    const requestId = await stack.pendingRequestId('carol@corp.example.com');
    await stack.admin(routes.denyAccessRequest, { params: { requestId }, body: { comment: 'not known' } });
    await expect(lockPopup(page).getByRole('status')).toHaveText(
      'Your request for a one-time password was denied. The helpdesk wrote: “not known”. Contact your helpdesk if you still need access.',
      { timeout: 15_000 },
    );
    await expect(lockPopup(page).getByLabel('Email')).toBeEditable();
  });

  test('a code the helpdesk generated (no request) unlocks with the email typed in', async ({ page, stack }) => {
    const lock = await openLock(page, stack, 'PC-EMAIL-06');
    const client = (await stack.admin(routes.listClients, {})).find((c) => c.computerName === 'PC-EMAIL-06')!;
    await stack.admin(routes.generateOtp, { body: { clientId: client.clientId, osUser: OS_USER, email: 'ivan@corp.example.com' } });
    const code = await stack.otpFor('ivan@corp.example.com');
    await lock.getByLabel('Email').fill('ivan@corp.example.com');
    await logIn(page, code);
    await expectUnlocked(page);
    const sessions = await stack.admin(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ computerName: 'PC-EMAIL-06', via: 'generated' });
  });

  test('Sign out leaves the lock for the OS to end the session', async ({ page, stack }) => {
    const lock = await openLock(page, stack, 'PC-EMAIL-07');
    await lock.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alertdialog', { name: 'Sign out of Windows?' }).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Signing out…' })).toBeVisible();
    await expect(lock).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
  });

  test('Cancel and Escape go back to the lock pop-up', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-EMAIL-05');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    await requestPopup(page).getByRole('button', { name: 'Cancel' }).click();
    await expect(lockPopup(page)).toBeVisible();
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    await expect(requestPopup(page)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(lockPopup(page)).toBeVisible();
  });
});

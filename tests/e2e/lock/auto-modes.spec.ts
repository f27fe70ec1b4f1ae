import { OS_USER, SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { UNREACHABLE_DIRECTORY_ENV } from '@latchkey/test-support';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup, wrongCode, expectAxeClean } from './lock-helpers.ts';

// The preview's osUser is CORP\alice: dana may unlock it only because the account is linked to her.
test.use({ users: { dana: { password: 'dana-password-1', email: 'dana@corp.example.com', windowsAccounts: [OS_USER] } } });

test.describe('internal-user auto-send', () => {
  test.use({ settings: { autoSendToInternalUsers: true, autoSendToDirectoryUsers: false } });

  test('login name and password send the code at once; a wrong password is refused', async ({ page, stack, pageErrors }) => {
    await openLock(page, stack, 'PC-INT-01');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await expect(request.getByLabel('Login name')).toBeFocused();
    await expect(request.getByLabel('Password', { exact: true })).toBeVisible();
    await expect(request.getByLabel('I need emergency access to computer')).not.toBeChecked();
    await expect(request.getByLabel('Email')).toBeHidden();
    await expect(request.getByRole('button', { name: 'Request' })).toBeVisible();
    await expectAxeClean(page, 'lock-request-internal');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-internal.png` });

    await request.getByLabel('Login name').fill('dana');
    await request.getByLabel('Password', { exact: true }).fill('not-her-password');
    await request.getByRole('button', { name: 'Request' }).click();
    await expect(request.getByRole('status')).toHaveText('The login name or password is wrong.');

    await request.getByLabel('Password', { exact: true }).fill('dana-password-1');
    await page.keyboard.press('Enter');
    const lock = lockPopup(page);
    await expect(lock.getByRole('status')).toHaveText(
      'A one-time password has been sent to dana@corp.example.com. Enter it below to log in.',
    );
    await expect(lock.getByLabel('Email')).toHaveValue('dana@corp.example.com');
    await expect(lock.getByLabel('Email')).not.toBeEditable();

    const code = await stack.otpFor('dana@corp.example.com');
    await logIn(page, wrongCode(code));
    await expect(lock.getByRole('status')).toContainText('Access denied');
    await logIn(page, code);
    await expectUnlocked(page);
    const sessions = await stack.admin(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ computerName: 'PC-INT-01', userName: `${OS_USER} (dana@corp.example.com)`, via: 'otp' });
    expect(pageErrors).toEqual([]);
  });

  test('emergency access swaps in Email and Reason and goes through approval', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-INT-02');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('I need emergency access to computer').check();
    await expect(request.getByLabel('Email')).toBeFocused();
    await expect(request.getByLabel('Login name')).toBeHidden();
    await expect(request.getByLabel('Password', { exact: true })).toBeHidden();
    await expect(request.getByLabel('Reason')).toBeVisible();
    await request.getByLabel('Email').fill('erik@corp.example.com');
    await request.getByLabel('Reason').fill('Locked out before a deadline');
    await expectAxeClean(page, 'lock-request-emergency');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-emergency.png` });
    await request.getByRole('button', { name: 'Request' }).click();

    const lock = lockPopup(page);
    await expect(lock.getByRole('status')).toContainText('waiting for approval');
    const pending = await stack.admin(routes.listAccessRequests, { query: { status: 'pending' } });
    expect(pending.find((r) => r.email === 'erik@corp.example.com')).toMatchObject({
      method: 'emergency',
      reason: 'Locked out before a deadline',
      osUser: OS_USER,
    });
    const requestId = await stack.pendingRequestId('erik@corp.example.com');
    await stack.admin(routes.approveAccessRequest, { params: { requestId }, body: {} });
    await expect(lock.getByRole('status')).toContainText('has been sent to erik@corp.example.com', { timeout: 15_000 });
    await logIn(page, await stack.otpFor('erik@corp.example.com'));
    await expectUnlocked(page);
    const sessions = await stack.admin(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ computerName: 'PC-INT-02', via: 'emergency' });
  });
});

test.describe('Active Directory auto-send (a directory that does not answer)', () => {
  // Auto-send to directory users needs a configured directory: one that never answers.
  test.use({ serverEnv: { ...UNREACHABLE_DIRECTORY_ENV }, settings: { autoSendToInternalUsers: false, autoSendToDirectoryUsers: true } });

  test('only a Request button and the emergency option; an unreachable directory is said plainly', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-AD-01');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await expect(request.getByRole('button', { name: 'Request' })).toBeVisible();
    await expect(request.getByLabel('I need emergency access to computer')).toBeVisible();
    await expect(request.getByRole('textbox')).toHaveCount(0);
    await expectAxeClean(page, 'lock-request-directory');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-directory.png` });

    await request.getByRole('button', { name: 'Request' }).click();
    await expect(request.getByRole('status')).toContainText(/directory/i);
    await expect(lockPopup(page)).toBeHidden();
  });

  test('emergency access works in directory mode too', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-AD-02');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('I need emergency access to computer').check();
    await request.getByLabel('Email').fill('fay@corp.example.com');
    await request.getByRole('button', { name: 'Request' }).click();
    await expect(lockPopup(page).getByRole('status')).toContainText('waiting for approval');
  });
});

test('a computer not allowed to use one-time passwords is not locked (v1.2: its lock decision is otp_disabled)', async ({
  page,
  stack,
}) => {
  await stack.settings({ autoSendToInternalUsers: false, autoSendToDirectoryUsers: false });
  await page.goto(`${stack.baseUrl}/preview/lock?computer=PC-NO-OTP`);
  await expect(lockPopup(page).getByRole('button', { name: 'Request One-Time Password' })).toBeVisible();
  const client = (await stack.admin(routes.listClients, {})).find((c) => c.computerName === 'PC-NO-OTP')!;
  await stack.admin(routes.patchClient, { params: { clientId: client.clientId }, body: { allowOneTimePasswords: false } });
  await page.reload();
  await expectUnlocked(page);
  const sessions = await stack.admin(routes.listSessions, {});
  expect(sessions.find((s) => s.computerName === 'PC-NO-OTP')).toMatchObject({ via: 'exempt', exempt: 'otp_disabled' });
});

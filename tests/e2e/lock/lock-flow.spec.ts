import { SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { UNREACHABLE_DIRECTORY_ENV } from '@latchkey/test-support';
import {
  expectAxeClean,
  expectFocusInDialog,
  expectUnlocked,
  logIn,
  openLock,
  previewUrl,
  requestPopup,
  wrongCode,
} from './lock-helpers.ts';

// The seed's flow for people (issue 11): no dead ends, live status, words that follow the state, axe-clean.
test.use({
  users: Object.fromEntries(
    ['olga', 'alice', 'bea', 'ned'].map((login) => [login, { password: `${login}-password-1`, email: `${login}@corp.example.com` }]),
  ),
});

test.describe('email mode', () => {
  test.use({ settings: { autoSendToInternalUsers: false, autoSendToDirectoryUsers: false } });

  test('"Use a different email" cancels the pending request and brings back an editable field; approval shows at once', async ({
    page,
    stack,
    pageErrors,
  }) => {
    const lock = await openLock(page, stack, 'PC-FLOW-TYPO');
    await expectAxeClean(page, 'lock, nothing requested');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('Email').fill('alcie@corp.example.com');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(lock.getByRole('status')).toContainText('waiting for approval');
    await expect(lock.getByLabel('Email')).not.toBeEditable();
    await expect(lock.getByRole('button', { name: 'Use a different email' })).toBeVisible();
    await expectAxeClean(page, 'lock, request pending');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-pending-different-email.png` });

    await lock.getByRole('button', { name: 'Use a different email' }).click();
    await expect(request).toBeVisible();
    await expect(request.getByRole('status')).toContainText('Your request for alcie@corp.example.com was cancelled');
    await expect(request.getByLabel('Email')).toHaveValue('alcie@corp.example.com');
    await expect(request.getByLabel('Email')).toBeEditable();
    await expect(request.getByLabel('Email')).toBeFocused();
    await expectAxeClean(page, 'request, after cancelling');
    const cancelled = await stack.admin(routes.listAccessRequests, { query: { status: 'cancelled' } });
    expect(cancelled.map((r) => r.email)).toContain('alcie@corp.example.com');

    await request.getByLabel('Email').fill('alice@corp.example.com');
    await page.keyboard.press('Enter');
    await expect(lock.getByRole('status')).toContainText('waiting for approval');
    const requestId = await stack.pendingRequestId('alice@corp.example.com');
    const pending = await stack.admin(routes.listAccessRequests, { query: { status: 'pending' } });
    expect(pending.map((r) => r.email)).not.toContain('alcie@corp.example.com');

    await stack.admin(routes.approveAccessRequest, { params: { requestId }, body: {} });
    // Long-poll: the lock hears the decision within a second, not at its next poll.
    await expect(lock.getByRole('status')).toContainText('has been sent to alice@corp.example.com', { timeout: 1_000 });
    await expect(lock.getByRole('button', { name: 'Use a different email' })).toBeHidden();
    await logIn(page, await stack.otpFor('alice@corp.example.com'));
    await expectUnlocked(page);
    expect(pageErrors).toEqual([]);
  });

  test('a denial shows the approver’s comment on the lock', async ({ page, stack }) => {
    const lock = await openLock(page, stack, 'PC-FLOW-DENY');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    await requestPopup(page).getByLabel('Email').fill('mo@corp.example.com');
    await requestPopup(page).getByRole('button', { name: 'Request', exact: true }).click();
    const requestId = await stack.pendingRequestId('mo@corp.example.com');
    await stack.admin(routes.denyAccessRequest, { params: { requestId }, body: { comment: 'Not a company address; call 1234' } });
    await expect(lock.getByRole('status')).toContainText('The helpdesk wrote: “Not a company address; call 1234”', { timeout: 2_000 });
    await expect(lock.getByLabel('Email')).toBeEditable();
    await expectAxeClean(page, 'lock, request denied');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-denied-comment.png` });
  });
});

test.describe('internal-user auto-send with the interval', () => {
  test.use({ interval: 60, settings: { autoSendToInternalUsers: true, autoSendToDirectoryUsers: false, maxVerifyAttempts: 5 } });

  test('the one-hour trap: the refusal says how long and offers emergency access right there, which reaches a person', async ({
    page,
    stack,
  }) => {
    // Ned unlocks this computer's shared Windows account; within the hour Olga needs the same account
    // (on a computer the installer enrolled, the interval counts per Windows user, v1.2).
    const lock = await openLock(page, stack, 'PC-FLOW-TRAP');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('Login name').fill('ned');
    await request.getByLabel('Password', { exact: true }).fill('ned-password-1');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await logIn(page, await stack.otpFor('ned@corp.example.com'));
    await expectUnlocked(page);

    await page.goto(previewUrl(stack, 'PC-FLOW-TRAP'));
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    await request.getByLabel('Login name').fill('olga');
    await request.getByLabel('Password', { exact: true }).fill('olga-password-1');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(request.getByRole('status')).toContainText('can be requested in 60 minutes');
    await expect(request.getByRole('status')).toContainText('I need emergency access to computer');
    // Internal mode's form has the emergency checkbox: it is the one way offered, and the focus is on it.
    await expect(request.getByRole('button', { name: 'I need emergency access to computer' })).toBeHidden();
    const offer = request.getByLabel('I need emergency access to computer');
    await expect(offer).toBeFocused();
    await expectAxeClean(page, 'request, interval refusal');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-interval.png` });

    await page.keyboard.press('Space');
    await expect(request.getByLabel('Email')).toBeFocused();
    await expect(offer).toBeChecked();
    await request.getByLabel('Email').fill('olga@corp.example.com');
    await request.getByLabel('Reason').fill('First day, no code yet');
    await expectAxeClean(page, 'request, emergency chosen after refusal');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(lock.getByRole('status')).toContainText('waiting for approval');

    const requestId = await stack.pendingRequestId('olga@corp.example.com');
    const pending = await stack.admin(routes.listAccessRequests, { query: { status: 'pending' } });
    expect(pending.find((r) => r.requestId === requestId)).toMatchObject({ method: 'emergency', reason: 'First day, no code yet' });
    await stack.admin(routes.approveAccessRequest, { params: { requestId }, body: {} });
    await expect(lock.getByRole('status')).toContainText('has been sent to olga@corp.example.com', { timeout: 1_000 });
    await logIn(page, await stack.otpFor('olga@corp.example.com'));
    await expectUnlocked(page);
  });

  test('burnt: after too many wrong codes the lock says even the right one no longer works, and what to do', async ({ page, stack }) => {
    await stack.settings({ otpRequestIntervalMinutes: 0, maxVerifyAttempts: 3 });
    const lock = await openLock(page, stack, 'PC-FLOW-BURNT');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('Login name').fill('bea');
    await request.getByLabel('Password', { exact: true }).fill('bea-password-1');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    const code = await stack.otpFor('bea@corp.example.com');
    for (let i = 0; i < 3; i++) {
      await logIn(page, wrongCode(code));
      await expect(lock.getByRole('status')).toContainText('Access denied');
    }
    await logIn(page, code);
    await expect(lock.getByRole('status')).toContainText('not even the right one');
    await expect(lock.getByRole('status')).toContainText('Request a new one');
    await expect(lock.getByRole('button', { name: 'Resend' })).toBeHidden();
    // The code is gone for good: the next useful control is Request, not the code field.
    await expect(lock.getByLabel('One-time password')).toHaveValue('');
    await expect(lock.getByRole('button', { name: 'Request One-Time Password' })).toBeFocused();
    await expectAxeClean(page, 'lock, code burnt');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-code-burnt.png` });
  });

  test('a failed Request keeps focus in the dialog on the field at fault, marked invalid and described by the notice', async ({
    page,
    stack,
  }) => {
    await stack.settings({ otpRequestIntervalMinutes: 0 });
    const lock = await openLock(page, stack, 'PC-FLOW-FOCUS');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('Login name').fill('olga');
    await request.getByLabel('Password', { exact: true }).fill('wrong-password');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(request.getByRole('status')).toHaveText('The login name or password is wrong.');
    await expectFocusInDialog(page);
    const loginField = request.getByLabel('Login name');
    await expect(loginField).toBeFocused();
    await expect(loginField).toHaveAttribute('aria-invalid', 'true');
    await expect(loginField).toHaveAttribute('aria-describedby', /request-notice/);
    await expectAxeClean(page, 'request, wrong password');

    // Tab stays inside the dialog, both ways.
    await request.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Tab');
    await expectFocusInDialog(page);
    await expect(loginField).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(request.getByRole('button', { name: 'Cancel' })).toBeFocused();

    await page.keyboard.press('Escape');
    await expect(lock).toBeVisible();
    await expectFocusInDialog(page);
    await lock.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alertdialog', { name: 'Sign out of Windows?' }).getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Signing out…' })).toBeFocused();
  });
});

test.describe('both automatic options on', () => {
  // Auto-send to directory users needs a configured directory: one that never answers.
  test.use({ serverEnv: { ...UNREACHABLE_DIRECTORY_ENV }, settings: { autoSendToInternalUsers: true, autoSendToDirectoryUsers: true } });

  test('the directory request comes first with Request focused, and "Use my internal login instead" works', async ({ page, stack }) => {
    const lock = await openLock(page, stack, 'PC-FLOW-BOTH');
    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await expect(request.getByRole('button', { name: 'Request', exact: true })).toBeFocused();
    await expect(request.getByText('your company directory has for you')).toBeVisible();
    const useInternal = request.getByRole('button', { name: 'Use my internal login instead' });
    await expect(useInternal).toBeVisible();
    await expectAxeClean(page, 'request, directory with internal alternative');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-both-modes.png` });

    await useInternal.click();
    await expect(request.getByLabel('Login name')).toBeFocused();
    await expect(request.getByRole('button', { name: 'Use the company directory instead' })).toBeVisible();
    await expectAxeClean(page, 'request, internal chosen');
    await request.getByLabel('Login name').fill('alice');
    await request.getByLabel('Password', { exact: true }).fill('alice-password-1');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(lock.getByRole('status')).toContainText('has been sent to alice@corp.example.com');
  });
});

import type { Page } from '@playwright/test';
import { routes } from '@latchkey/contracts';
import { SCREENSHOT_DIR, expect, test, type AppStack } from '../support/fixtures.ts';
import { expectAxeClean, lockPopup, openLock, requestPopup, wrongCode } from './lock-helpers.ts';

/** "The helpdesk's day" on the lock, against the real server (cancel of a `sent` request, `attemptsLeft`). */

async function requestByEmail(page: Page, email: string): Promise<void> {
  await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
  const request = requestPopup(page);
  await request.getByLabel('Email', { exact: true }).fill(email);
  await request.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(lockPopup(page).getByRole('status')).toContainText(`emailed to ${email}`);
}

async function approve(stack: AppStack, email: string): Promise<void> {
  await stack.admin(routes.approveAccessRequest, { params: { requestId: await stack.pendingRequestId(email) }, body: {} });
}

test.describe('email mode', () => {
  test('"Wrong address?" beside the code field takes a sent code back to the email entry, and the corrected request goes out', async ({
    page,
    stack,
  }) => {
    await openLock(page, stack, 'PC-DAY-WRONG');
    const lock = lockPopup(page);
    // Nothing was sent yet: the lock does not say "emailed to you".
    await expect(lock.locator('#lock-context')).not.toContainText('emailed to you');
    await requestByEmail(page, 'alcie@corp.example.com');
    // While it waits: the reference to quote on the phone.
    await expect(lock.locator('#lock-reference')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await approve(stack, 'alcie@corp.example.com');
    await expect(lock.getByRole('status')).toContainText('has been sent to alcie@corp.example.com');
    await expect(lock.locator('#lock-context')).toContainText('Enter the one-time password that was emailed to you.');
    await expect(lock.locator('#lock-expiry')).toHaveText(/valid until/);
    await expect(lock.getByRole('button', { name: 'Resend to alcie@corp.example.com' })).toBeVisible();
    await expect(lock.getByLabel('One-time password')).toBeFocused();
    await expectAxeClean(page, 'code sent, with reference, expiry and Wrong address?');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-otp-sent-wrong-address.png` });

    await lock.getByRole('button', { name: 'Wrong address?' }).click();
    const request = requestPopup(page);
    await expect(request.getByRole('status')).toContainText('Your request for alcie@corp.example.com was cancelled');
    await expect(request.getByLabel('Email', { exact: true })).toHaveValue('alcie@corp.example.com');
    await expect(request.getByLabel('Email', { exact: true })).toBeFocused();
    await expectAxeClean(page, 'after Wrong address?');
    await request.getByLabel('Email', { exact: true }).fill('alice@corp.example.com');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    await expect(lock.getByRole('status')).toContainText('emailed to alice@corp.example.com');
  });

  test.describe('with the default interval', () => {
    test.use({ interval: null, settings: { maxVerifyAttempts: 3 } });

    test('wrong codes say how many attempts are left, the last one is warned, and after the burn Request leads to emergency access', async ({
      page,
      stack,
    }) => {
      await openLock(page, stack, 'PC-DAY-BURN');
      const lock = lockPopup(page);
      await requestByEmail(page, 'burn@corp.example.com');
      await approve(stack, 'burn@corp.example.com');
      const code = await stack.otpFor('burn@corp.example.com');
      const otp = lock.getByLabel('One-time password');

      for (const [left, words] of [
        [2, '2 attempts left'],
        [1, 'This is your last attempt'],
      ] as const) {
        await otp.fill(wrongCode(code));
        await lock.getByRole('button', { name: 'Log in' }).click();
        await expect(lock.getByRole('status')).toContainText(words);
        // The field again, its wrong code selected to type over.
        await expect(otp).toBeFocused();
        if (left === 1) {
          await expectAxeClean(page, 'last attempt warning');
          await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-last-attempt.png` });
        }
      }
      await otp.fill(wrongCode(code));
      await lock.getByRole('button', { name: 'Log in' }).click();
      await expect(lock.getByRole('status')).toContainText('not even the right one');
      await expect(lock.getByRole('status')).toContainText('leads to emergency access');
      const openRequest = lock.getByRole('button', { name: 'Request One-Time Password' });
      await expect(openRequest).toBeFocused();
      await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-burnt-leads-to-emergency.png` });

      await openRequest.click();
      const request = requestPopup(page);
      await expect(request.getByRole('status')).toContainText(/can be requested in (60|59) minutes/);
      const offer = request.getByRole('button', { name: 'I need emergency access to computer' });
      await expect(offer).toBeFocused();
      await expectAxeClean(page, 'after a burn: emergency offered at once');
      await offer.click();
      await request.getByLabel('Email', { exact: true }).fill('burn@corp.example.com');
      await request.getByRole('button', { name: 'Request', exact: true }).click();
      await expect(lock.getByRole('status')).toContainText('emailed to burn@corp.example.com');
    });
  });

  test('a denial puts the focus on Request, not on an empty code field', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-DAY-DENY');
    await requestByEmail(page, 'deny@corp.example.com');
    await stack.admin(routes.denyAccessRequest, { params: { requestId: await stack.pendingRequestId('deny@corp.example.com') }, body: {} });
    const lock = lockPopup(page);
    await expect(lock.getByRole('status')).toContainText('was denied');
    await expect(lock.getByRole('button', { name: 'Request One-Time Password' })).toBeFocused();
  });

  test('Escape in a pop-up returns to the button that opened it; sign-out asks first', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-DAY-ESC');
    const lock = lockPopup(page);
    const openRequest = lock.getByRole('button', { name: 'Request One-Time Password' });
    await openRequest.click();
    await expect(requestPopup(page)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(openRequest).toBeFocused();

    const signOut = lock.getByRole('button', { name: 'Sign out' });
    await signOut.click();
    const confirm = page.getByRole('alertdialog', { name: 'Sign out of Windows?' });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByRole('button', { name: 'Stay here' })).toBeFocused();
    await expectAxeClean(page, 'sign-out confirmation');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-sign-out-confirm.png` });
    await page.keyboard.press('Escape');
    await expect(confirm).toBeHidden();
    await expect(signOut).toBeFocused();
    await signOut.click();
    await confirm.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Signing out…' })).toBeVisible();
  });
});

test.describe('directory and internal modes', () => {
  test.use({
    interval: null,
    settings: { autoSendToInternalUsers: true },
    users: { ivan: { password: 'ivan-password-1', email: 'ivan@corp.example.com' } },
  });

  test('an interval refusal offers emergency access once, and focus goes there, not back to Request', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-DAY-INT');
    const lock = lockPopup(page);
    const request = requestPopup(page);
    for (let i = 0; i < 2; i++) {
      await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
      await request.getByLabel('Login name').fill('ivan');
      await request.getByLabel('Password', { exact: true }).fill('ivan-password-1');
      await request.getByRole('button', { name: 'Request', exact: true }).click();
      if (i === 0) await expect(lock.getByRole('status')).toContainText('has been sent to ivan@corp.example.com');
    }
    await expect(request.getByRole('status')).toContainText('can be requested in 60 minutes');
    // The form's own checkbox is the one way to say it: no second link beside the refusal.
    await expect(request.getByRole('button', { name: 'I need emergency access to computer' })).toBeHidden();
    await expect(request.getByLabel('I need emergency access to computer')).toBeFocused();
    await expectAxeClean(page, 'interval refusal in internal mode');
  });
});

test.describe('at 200 %', () => {
  test.use({ viewport: { width: 512, height: 384 }, deviceScaleFactor: 2, interval: null });

  test('the status message is whole on screen while the focus is on the next control', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-DAY-ZOOM');
    const lock = lockPopup(page);
    await requestByEmail(page, 'zoom@corp.example.com');
    await approve(stack, 'zoom@corp.example.com');
    await expect(lock.getByRole('status')).toContainText('has been sent');
    await lock.getByLabel('One-time password').fill('00000000');
    await lock.getByRole('button', { name: 'Log in' }).click();
    const notice = lock.locator('#lock-notice');
    await expect(notice).toContainText('Access denied');
    const box = (await notice.boundingBox())!;
    const card = (await lock.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(card.y);
    expect(box.y + box.height).toBeLessThanOrEqual(card.y + card.height);
    await expect(lock.getByLabel('One-time password')).toBeInViewport();
    await expectAxeClean(page, 'access denied at 200 %');
    await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-access-denied-200-percent.png` });

    await lock.getByRole('button', { name: 'Request One-Time Password' }).click();
    const request = requestPopup(page);
    await request.getByLabel('Email', { exact: true }).fill('zoom@corp.example.com');
    await request.getByRole('button', { name: 'Request', exact: true }).click();
    const refusal = request.locator('#request-notice');
    await expect(refusal).toContainText('can be requested in');
    const r = (await refusal.boundingBox())!;
    const c = (await request.boundingBox())!;
    expect(r.y).toBeGreaterThanOrEqual(c.y);
    expect(r.y + r.height).toBeLessThanOrEqual(c.y + c.height);
    await expectAxeClean(page, 'interval refusal at 200 %');
  });
});

import { otpFromMail, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';
import { testNonce } from '@latchkey/test-support';

const SECOND = 1000;

test('Client Sessions shows a session timeline with active and idle totals', async ({ page, stack, pageErrors }) => {
  const { clientId, client } = await stack.enrollClient('PC-TIMELINE-03');
  await stack.admin(routes.generateOtp, { body: { clientId, osUser: 'CORP\\tina', email: 'tina@corp.example.com' } });
  const mail = await stack.mailbox.waitFor((m) => m.to.includes('tina@corp.example.com'));
  const { sessionId } = await client(routes.verifyOtp, {
    body: { osUser: 'CORP\\tina', email: 'tina@corp.example.com', otp: otpFromMail(mail), nonce: testNonce() },
  });
  const [session] = await stack.admin(routes.listSessions, { query: { q: 'tina' } });
  const s = session!.startedAt;
  // As the Client sends them: in batches, not in order, one of them twice.
  await client(routes.postSessionEvents, {
    params: { sessionId },
    body: {
      events: [
        { type: 'idle', at: s + 60 * SECOND },
        { type: 'unlock.generated', at: s },
        { type: 'active', at: s + 180 * SECOND },
      ],
    },
  });
  await client(routes.postSessionEvents, {
    params: { sessionId },
    body: {
      events: [
        { type: 'active', at: s + 180 * SECOND },
        { type: 'screen.locked', at: s + 200 * SECOND },
        { type: 'screen.unlocked', at: s + 260 * SECOND },
        { type: 'signed_out', at: s + 290 * SECOND },
      ],
    },
  });

  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Client Sessions');
  const toggle = page.getByRole('button', { name: 'Show timeline of CORP\\tina on PC-TIMELINE-03', exact: true });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  const hide = page.getByRole('button', { name: 'Hide timeline of CORP\\tina on PC-TIMELINE-03', exact: true });
  await expect(hide).toHaveAttribute('aria-expanded', 'true');
  await expect(hide).toBeFocused();
  const timeline = page.getByRole('list', { name: 'Activity of CORP\\tina on PC-TIMELINE-03' });
  await expect(timeline.getByRole('listitem')).toHaveText([
    /Unlocked with a password from the helpdesk/,
    /Idle \(no keyboard or mouse input\)/,
    /Active again/,
    /Windows screen locked/,
    /Windows screen unlocked/,
    /Signed out of Windows/,
  ]);
  // active 0–60 s, 180–200 s, 260–290 s = 110 s; idle 60–180 s = 120 s; locked time is neither.
  await expect(page.getByTestId('active-total')).toHaveText('2 min');
  await expect(page.getByTestId('idle-total')).toHaveText('2 min');
  await expect(timeline.getByText('Windows screen locked')).toHaveAttribute('title', 'screen.locked');
  await expectAxeClean(page, 'Client Sessions with a timeline open');
  await screenshot(page, 'session-timeline');
  await hide.click();
  await expect(timeline).toHaveCount(0);
  await expect(toggle).toBeFocused();
  expect(pageErrors).toEqual([]);
});

test('Generate Password offers the names the Client reported and warns when a name lacks the domain', async ({
  page,
  stack,
  pageErrors,
}) => {
  const { client } = await stack.enrollClient('PC-HINTS-09');
  await client(routes.createOtpRequest, { body: { osUser: 'CORP\\frank', method: 'email', email: 'frank@corp.example.com' } });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Generate Password');
  await page.getByLabel('Client').selectOption({ label: 'PC-HINTS-09' });
  const seen = page.getByRole('group', { name: 'Seen on this computer:' });
  await expect(seen.getByRole('button')).toHaveText(['CORP\\frank']);

  const user = page.getByLabel('User', { exact: true });
  await user.fill('frank');
  const warning = page.locator('#gen-user-warning');
  await expect(warning).toContainText('This computer reports this user as CORP\\frank. “frank” will not match it');
  // The warning is read with the field.
  await expect(user).toHaveAttribute('aria-describedby', /gen-user-warning/);
  await expectAxeClean(page, 'Generate Password with the domain warning');
  await screenshot(page, 'generate-password-hint');

  await page.getByRole('button', { name: 'Use CORP\\frank as the user' }).click();
  await expect(user).toHaveValue('CORP\\frank');
  await expect(warning).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('Sign out asks first, in a dialog that keeps and returns focus', async ({ page, stack, pageErrors }) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Audit');
  // Audit speaks in words; the code stays beside them.
  const firstRow = page.getByRole('table', { name: 'Audit events, newest first' }).getByRole('row').nth(1);
  await expect(firstRow).toContainText('Signed in to the Management Tool');
  await expect(firstRow).toContainText('admin.login');

  const signOut = page.getByRole('banner').getByRole('button', { name: 'Sign out' });
  await signOut.click();
  const dialog = page.getByRole('dialog', { name: 'Sign out?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Sign out' })).toBeFocused();
  await expectAxeClean(page, 'the sign-out dialog');
  await screenshot(page, 'sign-out-confirm');
  // Tab stays inside the dialog.
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(signOut).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();

  await page.keyboard.press('Enter');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(signOut).toBeFocused();

  await signOut.click();
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You signed out.')).toBeVisible();
  await expect(page.getByLabel('Login name')).toBeFocused();
  await expectAxeClean(page, 'the sign-in page after signing out');
  expect(pageErrors).toEqual([]);
});

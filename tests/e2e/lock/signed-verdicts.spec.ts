import type { Page } from '@playwright/test';
import { expect, test, type AppStack } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup } from './lock-helpers.ts';

test.use({
  users: { vera: { password: 'vera-password-1', email: 'vera@corp.example.com' } },
  settings: { autoSendToInternalUsers: true, autoSendToDirectoryUsers: false },
});

const VERDICT_TEXT = /did not carry a valid signature .* This computer stays locked/;

async function requestCode(page: Page, stack: AppStack, count: number): Promise<string> {
  await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
  const request = requestPopup(page);
  await request.getByLabel('Login name').fill('vera');
  await request.getByLabel('Password', { exact: true }).fill('vera-password-1');
  await request.getByRole('button', { name: 'Request' }).click();
  await expect(lockPopup(page).getByRole('status')).toContainText('has been sent to vera@corp.example.com');
  return stack.otpFor('vera@corp.example.com', count);
}

async function verdictFailures(stack: AppStack, computerName: string): Promise<number> {
  const events = await stack.admin(routes.listAudit, { query: { type: 'client.verdict_failed' } });
  return events.filter((e) => e.computerName === computerName).length;
}

test('a forged 200 {"allowed":true} on the verify call keeps the lock, is reported, and the genuine answer then unlocks', async ({
  page,
  stack,
  pageErrors,
}) => {
  await openLock(page, stack, 'PC-VERDICT-01');
  const code = await requestCode(page, stack, 1);

  // What a proxy or a user-installed root certificate can do to the answer.
  await page.route('**/api/v1/otp/verify', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ allowed: true, sessionId: 'forged-session-0001' }),
    }),
  );
  await logIn(page, code);
  const lock = lockPopup(page);
  await expect(lock.getByRole('status')).toHaveText(VERDICT_TEXT);
  await expect(lock).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
  await expect(lock.getByLabel('One-time password')).toBeVisible();
  await expect.poll(() => verdictFailures(stack, 'PC-VERDICT-01'), { timeout: 10_000 }).toBe(1);

  // The forged call never reached the server, so the code is still good: the real, signed answer unlocks (WebCrypto Ed25519).
  await page.unroute('**/api/v1/otp/verify');
  await logIn(page, code);
  await expectUnlocked(page);
  expect(pageErrors).toEqual([]);
});

test('a real answer whose signature was tampered with keeps the lock', async ({ page, stack, pageErrors }) => {
  await openLock(page, stack, 'PC-VERDICT-02');
  const code = await requestCode(page, stack, 2);
  await page.route('**/api/v1/otp/verify', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    const signature: string = body.verdict.signature;
    body.verdict.signature = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await route.fulfill({ response, body: JSON.stringify(body) });
  });
  await logIn(page, code);
  await expect(lockPopup(page).getByRole('status')).toHaveText(VERDICT_TEXT);
  await expect(page.getByRole('heading', { name: 'Unlocked' })).toBeHidden();
  await expect.poll(() => verdictFailures(stack, 'PC-VERDICT-02'), { timeout: 10_000 }).toBe(1);
  expect(pageErrors).toEqual([]);
});

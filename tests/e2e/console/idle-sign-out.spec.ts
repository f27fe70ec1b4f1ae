import { expect, test } from '../support/fixtures.ts';
import { openPage, screenshot, signIn } from './console-helpers.ts';

const IDLE_SECONDS = 6;
test.use({ serverEnv: { LATCHKEY_ADMIN_IDLE_SECONDS: String(IDLE_SECONDS) } });

test('signs out after the idle timeout although the badge keeps polling, and the server session is gone', async ({
  page,
  stack,
  pageErrors,
}) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Clients');
  // Activity keeps the session: a key press halfway through.
  await page.waitForTimeout((IDLE_SECONDS * 1000) / 2);
  await page.keyboard.press('Shift');
  await page.waitForTimeout((IDLE_SECONDS * 1000) / 2 + 500);
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();

  // Then nothing: back to sign-in with a reason, and the cookie no longer works.
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: (IDLE_SECONDS + 5) * 1000 });
  await expect(page.getByText('You were signed out after a period without activity.')).toBeVisible();
  await screenshot(page, 'idle-signed-out');
  const status = await page.evaluate(async () => (await fetch('/api/v1/admin/me', { credentials: 'same-origin' })).status);
  expect(status).toBe(401);
  expect(pageErrors).toEqual([]);
});

import type { Page } from '@playwright/test';
import { SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import AxeBuilder from '@axe-core/playwright';
import { routes } from '@latchkey/contracts';
import { expectUnlocked, logIn, lockPopup, openLock } from './lock-helpers.ts';

test.use({ users: { hank: { password: 'hank-password-1', email: 'hank@corp.example.com', role: 'helpdesk' } } });

const offlinePopup = (page: Page) => page.getByRole('dialog', { name: 'Unlock with the helpdesk' });

async function signInConsole(page: Page, baseUrl: string, login: string, password: string) {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Login name').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Offline Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Offline Unlock' })).toBeVisible();
}

test('with the server cut off, the helpdesk reads a response code for the challenge, the lock opens, and the console lists the unlock once it is reported', async ({
  page,
  browser,
  stack,
  pageErrors,
}) => {
  const lock = await openLock(page, stack, 'PC-ROAMING-07');

  // The network goes away under the lock.
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await lock.getByLabel('Email').fill('alice@corp.example.com');
  await logIn(page, '12345678');
  await expect(lock.getByRole('status')).toContainText('cannot be reached');
  // Not offered at the first failure.
  await expect(lock.getByRole('button', { name: 'Unlock with the helpdesk' })).toBeHidden();
  await lock.getByRole('button', { name: 'Try again now' }).click();
  await lock.getByRole('button', { name: 'Unlock with the helpdesk' }).click();

  const offline = offlinePopup(page);
  await expect(offline).toBeVisible();
  await expect(offline.getByLabel('Response code')).toBeFocused();
  await expect(offline.locator('#offline-computer')).toHaveText('PC-ROAMING-07');
  await expect(offline.locator('#offline-user')).toHaveText('CORP\\alice');
  const challenge = (await offline.locator('#offline-challenge').textContent())!;
  expect(challenge).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  await expect(offline.getByText(/This challenge expires at .* 5 attempts left\./)).toBeVisible();
  await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-offline-unlock.png` });
  expect((await new AxeBuilder({ page }).include('#offline-popup').analyze()).violations).toEqual([]);

  // The helpdesk, on its own computer: picks the Client, types the user and the challenge.
  const helpdeskContext = await browser.newContext({ viewport: page.viewportSize() });
  const console = await helpdeskContext.newPage();
  await signInConsole(console, stack.baseUrl, 'hank', 'hank-password-1');
  await console.getByLabel('Computer', { exact: true }).selectOption({ label: 'PC-ROAMING-07' });
  await console.getByLabel('User', { exact: true }).fill('CORP\\alice');
  await console.getByLabel('Challenge').fill(challenge.toLowerCase());
  await console.getByLabel('Reason').fill('Ticket 3141: alice in a hotel without VPN');
  await console.getByRole('button', { name: 'Get response code' }).click();
  const code = (await console.getByTestId('response-code').textContent())!;
  expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);

  // A wrong code first (misheard), then the right one as heard.
  await offline.getByLabel('Response code').fill('AAAAA-AAAAA');
  await offline.getByRole('button', { name: 'Unlock' }).click();
  await expect(offline.getByRole('status')).toHaveText('That response code is not right. 4 attempts left for this challenge.');
  await offline.getByLabel('Response code').fill(code.replace('-', ' ').toLowerCase());
  await offline.getByRole('button', { name: 'Unlock' }).click();
  await expectUnlocked(page);
  await expect(lockPopup(page)).toBeHidden();

  // The network comes back: the Client reports the unlock and the console lists it.
  await page.unroute('**/api/v1/**');
  await expect
    .poll(
      async () =>
        (await stack.admin(routes.listOfflineUnlocks, {})).find((u) => u.challenge === challenge.replace('-', ''))?.reportedAt ?? null,
      {
        timeout: 20_000,
      },
    )
    .not.toBeNull();
  await console.reload();
  await expect(console.getByRole('heading', { level: 1, name: 'Offline Unlock' })).toBeVisible();
  const row = console.getByRole('row').filter({ hasText: 'PC-ROAMING-07' });
  await expect(row).toContainText('CORP\\alice');
  await expect(row).toContainText('hank');
  await expect(row).toContainText(challenge);
  await expect(row).not.toContainText('not reported yet');
  await console.getByLabel('Computer', { exact: true }).selectOption({ label: 'PC-ROAMING-07' });
  await console.getByLabel('User', { exact: true }).fill('CORP\\alice');
  await console.getByLabel('Challenge').fill(challenge);
  await console.getByLabel('Reason').fill('Ticket 3141: alice in a hotel without VPN');
  await console.getByRole('button', { name: 'Get response code' }).click();
  await expect(console.getByTestId('response-code')).toHaveText(code);
  await console.screenshot({ animations: 'disabled', fullPage: true, path: `${SCREENSHOT_DIR}console-offline-unlock.png` });
  expect((await new AxeBuilder({ page: console }).include('#main').analyze()).violations).toEqual([]);

  const sessions = await stack.admin(routes.listSessions, {});
  expect(sessions.find((s) => s.computerName === 'PC-ROAMING-07' && s.via === 'offline')).toBeDefined();
  await helpdeskContext.close();
  expect(pageErrors).toEqual([]);
});

test('no offline key is renewed through the console (v1.2: the key never leaves the computer); the page says how', async ({
  page,
  stack,
}) => {
  await signInConsole(page, stack.baseUrl, 'admin', stack.adminPassword);
  await expect(page.getByRole('button', { name: 'Renew offline key' })).toHaveCount(0);
  await expect(page.getByText('enroll the computer again as an administrator')).toBeVisible();
});

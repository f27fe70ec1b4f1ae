import { expect, test, type AppStack } from '../support/fixtures.ts';
import { ApiError, createApiClient, routes, type FetchLike } from '@latchkey/contracts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';

const nodeFetch: FetchLike = (url, init) => fetch(url, init);
async function canSignIn(stack: AppStack, login: string, password: string): Promise<boolean> {
  try {
    await createApiClient({ baseUrl: stack.baseUrl, fetch: nodeFetch })(routes.adminLogin, { body: { login, password } });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

test('an admin creates, edits, resets and deletes users, but cannot delete the last admin', async ({ page, stack, pageErrors }) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Users');
  const create = page.getByRole('region', { name: 'Create user' });

  // Client-side checks before anything is sent.
  await create.getByLabel('Login name').fill('bad login!');
  await create.getByLabel('Password').fill('short');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(create.getByText('Use 1 to 64 letters')).toBeVisible();
  await expect(create.getByText('Use at least 10 characters.')).toBeVisible();

  await create.getByLabel('Login name').fill('hd.jones');
  await create.getByLabel('Email').fill('hd.jones@corp.example.com');
  await create.getByLabel('Role').selectOption('helpdesk');
  await create.getByLabel('Password').fill('helpdesk-pass-01');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toHaveText('Created hd.jones (helpdesk).');
  const row = page.getByRole('row').filter({ hasText: 'hd.jones' });
  await expect(row).toContainText('hd.jones@corp.example.com');
  await expect(row).toContainText('helpdesk');
  expect(await canSignIn(stack, 'hd.jones', 'helpdesk-pass-01')).toBe(true);

  // The same login twice: the server's message is shown.
  await create.getByLabel('Login name').fill('hd.jones');
  await create.getByLabel('Email').fill('other@corp.example.com');
  await create.getByLabel('Password').fill('helpdesk-pass-02');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('alert')).toBeVisible();

  await row.getByRole('button', { name: 'Reset password' }).click();
  await expectAxeClean(page, 'Users with the reset password form open');
  await row.getByLabel('New password for hd.jones').fill('helpdesk-pass-99');
  await row.getByRole('button', { name: 'Set password', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('The password of hd.jones was reset.');
  expect(await canSignIn(stack, 'hd.jones', 'helpdesk-pass-01')).toBe(false);
  expect(await canSignIn(stack, 'hd.jones', 'helpdesk-pass-99')).toBe(true);

  await row.getByRole('button', { name: 'Edit hd.jones', exact: true }).click();
  await expectAxeClean(page, 'Users with the edit form open');
  await row.getByLabel('Email of hd.jones').fill('jones@corp.example.com');
  await row.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved the changes to hd.jones.');
  await expect(row).toContainText('jones@corp.example.com');
  await screenshot(page, 'users');

  // The only admin: the server refuses, and its message is shown.
  const adminRow = page.getByRole('row').filter({ hasText: 'admin@corp.example.com' });
  await adminRow.getByRole('button', { name: 'Delete admin', exact: true }).click();
  await expectAxeClean(page, 'Users asking to confirm a delete');
  await adminRow.getByRole('button', { name: 'Confirm delete' }).click();
  const refusal = await stack.admin(routes.deleteUser, { params: { login: 'admin' } }).catch((err: unknown) => err);
  expect(refusal).toMatchObject({ status: 409, code: 'last_admin' });
  await expect(page.getByRole('alert')).toHaveText((refusal as ApiError).message);
  await expect(adminRow).toBeVisible();
  await screenshot(page, 'users-last-admin');
  expect(await canSignIn(stack, 'admin', stack.adminPassword)).toBe(true);

  await row.getByRole('button', { name: 'Delete hd.jones', exact: true }).click();
  await row.getByRole('button', { name: 'Confirm delete' }).click();
  await expect(page.getByRole('status')).toHaveText('Deleted hd.jones.');
  // The deleted row took the focused button with it: focus moves to the message, not to <body>.
  await expect(page.getByRole('status')).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'hd.jones' })).toHaveCount(0);
  expect(await canSignIn(stack, 'hd.jones', 'helpdesk-pass-99')).toBe(false);
  expect(pageErrors).toEqual([]);
});

test('a helpdesk user sees only its pages, and the server refuses the rest', async ({ page, stack, pageErrors }) => {
  await stack.admin(routes.createUser, {
    body: { login: 'helpdesk1', password: 'helpdesk-pass-01', email: 'helpdesk1@corp.example.com', role: 'helpdesk' },
  });
  await stack.enrollClient('PC-HELPDESK-VIEW');
  await signIn(page, stack.baseUrl, 'helpdesk1', 'helpdesk-pass-01');

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText([
    /Access Requests/,
    'Generate Password',
    'Client Sessions',
    'Clients',
    'Offline Unlock',
    'Audit',
  ]);
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);

  // The helpdesk decides access requests.
  const { client } = await stack.enrollClient('PC-HELPDESK-REQ');
  await client(routes.createOtpRequest, { body: { osUser: 'CORP\\caller', method: 'emergency', email: 'caller@corp.example.com' } });
  const pending = page.getByRole('row').filter({ hasText: 'CORP\\caller' });
  await pending.getByRole('button', { name: 'Approve' }).click({ timeout: 15_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Approved' })).toBeVisible();
  await stack.mailbox.waitFor((m) => m.to.includes('caller@corp.example.com') && /^\s{4}\d{6,10}$/m.test(m.text));

  await screenshot(page, 'helpdesk-access-requests');

  // Clients are read-only for the helpdesk.
  await openPage(page, 'Clients');
  const row = page.getByRole('row').filter({ hasText: 'PC-HELPDESK-VIEW' });
  await expect(row).toContainText('allowed');
  await expect(row.getByRole('switch')).toHaveCount(0);

  // Typing the address of an admin page shows no admin data.
  await page.goto(`${stack.baseUrl}/console/settings`);
  await expect(page.getByText('Only administrators can use Settings.')).toBeVisible();
  await expect(page.getByLabel('Access Request Expiration Time')).toHaveCount(0);

  // The server refuses whatever the page does: same cookie, same CSRF token.
  const csrf = await page.evaluate(async () => {
    const me = await fetch('/api/v1/admin/me', { credentials: 'same-origin' });
    return ((await me.json()) as { csrfToken: string }).csrfToken;
  });
  const answers = await page.evaluate(async (token) => {
    const headers = { 'content-type': 'application/json', 'x-csrf-token': token };
    const settings = await fetch('/api/v1/admin/settings', { credentials: 'same-origin' });
    const put = await fetch('/api/v1/admin/settings', {
      method: 'PUT',
      headers,
      body: JSON.stringify({ otpLength: 6 }),
      credentials: 'same-origin',
    });
    const users = await fetch('/api/v1/admin/users', { credentials: 'same-origin' });
    const noCsrf = await fetch('/api/v1/admin/otp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'xxxxxxxx', osUser: 'x', email: 'x@corp.example.com' }),
      credentials: 'same-origin',
    });
    return [settings.status, put.status, users.status, noCsrf.status];
  }, csrf);
  expect(answers).toEqual([403, 403, 403, 403]);
  expect(pageErrors).toEqual([]);
});

test('an account with the user role cannot use the Management Tool', async ({ page, stack }) => {
  await stack.admin(routes.createUser, {
    body: { login: 'plain.user', password: 'plain-user-pass-1', email: 'plain.user@corp.example.com', role: 'user' },
  });
  await page.goto(`${stack.baseUrl}/console/`);
  await page.getByLabel('Login name').fill('plain.user');
  await page.getByLabel('Password').fill('plain-user-pass-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Your account cannot use the Management Tool.');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

import { otpFromMail, expect, test } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { expectAxeClean, screenshot, signIn } from './console-helpers.ts';
import { testNonce } from '@latchkey/test-support';

test('the badge counts pending requests by itself; approving mails the OTP, denying tells the Client', async ({
  page,
  stack,
  pageErrors,
}) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  const badge = page.getByTestId('pending-badge');
  await expect(badge).toHaveText('0');
  await expect(page.getByText('No pending access requests.')).toBeVisible();

  const { client } = await stack.enrollClient('PC-FINANCE-07');
  const emailRequest = await client(routes.createOtpRequest, {
    body: { osUser: 'CORP\\jdoe', method: 'email', email: 'jdoe@corp.example.com' },
  });
  const emergency = await client(routes.createOtpRequest, {
    body: { osUser: 'CORP\\asmith', method: 'emergency', email: 'asmith@corp.example.com', reason: 'Payroll run due at noon' },
  });
  expect(emailRequest.status).toBe('pending');

  // No reload: the page polls.
  await expect(badge).toHaveText('2', { timeout: 15_000 });
  const rows = page.getByRole('table', { name: 'Pending access requests' }).getByRole('row');
  const jdoe = rows.filter({ hasText: 'CORP\\jdoe' });
  const asmith = rows.filter({ hasText: 'CORP\\asmith' });
  await expect(jdoe).toContainText('PC-FINANCE-07');
  await expect(jdoe).toContainText('jdoe@corp.example.com');
  await expect(jdoe).toContainText('Email');
  await expect(jdoe).toContainText(/min/);
  await expect(asmith).toContainText('Emergency');
  await expect(asmith).toContainText('Payroll run due at noon');
  await screenshot(page, 'access-requests');

  await jdoe.getByLabel(/Comment for/).fill('Called from the front desk');
  await expectAxeClean(page, 'Access Requests with pending requests');
  // Row buttons name their row, so a screen reader's button list tells them apart.
  await page.getByRole('button', { name: 'Approve request from CORP\\jdoe on PC-FINANCE-07', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved' })).toContainText('emailed to jdoe@corp.example.com');
  // The row (and its focused button) is gone: focus goes to the message, never to <body>.
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  await expect(page.getByRole('status').filter({ hasText: 'Approved' })).toBeFocused();
  const mail = await stack.mailbox.waitFor((m) => m.to.includes('jdoe@corp.example.com'));
  const otp = otpFromMail(mail);
  const verified = await client(routes.verifyOtp, {
    body: { osUser: 'CORP\\jdoe', email: 'jdoe@corp.example.com', otp, nonce: testNonce() },
  });
  expect(verified.allowed).toBe(true);

  await asmith.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Denied' })).toBeVisible();
  await expect(badge).toHaveText('0');
  const denied = await client(routes.getOtpRequest, { params: { requestId: emergency.requestId } });
  expect(denied.status).toBe('denied');
  expect(stack.mailbox.mails.filter((m) => m.to.includes('asmith@corp.example.com')).every((m) => !/^\s{4}\d{6,10}$/m.test(m.text))).toBe(
    true,
  );

  // Past requests, filtered by status.
  const past = page.getByRole('table', { name: 'Past access requests' });
  await expect(past.getByRole('row')).toHaveCount(3);
  await page.getByLabel('Status').selectOption('denied');
  await expect(past.getByRole('row')).toHaveCount(2);
  await expect(past).toContainText('CORP\\asmith');
  await expect(past).not.toContainText('CORP\\jdoe');
  await page.getByLabel('Status').selectOption('used');
  await expect(past).toContainText('CORP\\jdoe');
  await expect(past).toContainText('Called from the front desk');
  expect(pageErrors).toEqual([]);
});

test('a request decided elsewhere disappears, and the error is shown when deciding it again', async ({ page, stack }) => {
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  const { client } = await stack.enrollClient('PC-LAB-01');
  const request = await client(routes.createOtpRequest, { body: { osUser: 'lab', method: 'email', email: 'lab@corp.example.com' } });
  const row = page.getByRole('row').filter({ hasText: 'PC-LAB-01' });
  await expect(row).toBeVisible({ timeout: 15_000 });
  // Hold the page's refreshes so the row is surely stale when it is clicked.
  const pendingList = /\/api\/v1\/admin\/access-requests\?status=pending/;
  await page.route(pendingList, () => undefined);
  await stack.admin(routes.denyAccessRequest, { params: { requestId: request.requestId }, body: {} });
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.unroute(pendingList);
  await expect(page.getByRole('table', { name: 'Pending access requests' })).toHaveCount(0, { timeout: 15_000 });
  expect(stack.mailbox.mails.some((m) => m.to.includes('lab@corp.example.com') && /^\s{4}\d{6,10}$/m.test(m.text))).toBe(false);
});

import { type Locator, type Page } from '@playwright/test';
import { routes, requestReference, type AdminSession } from '@latchkey/contracts';
import { testNonce } from '@latchkey/test-support';
import { expect, test, type AppStack } from '../support/fixtures.ts';
import { expectAxeClean, openPage, screenshot, signIn } from './console-helpers.ts';

// v1.2 "The helpdesk's day": approve what you can see, at 1024×768, at 200 % zoom and at 1920×1080.

/** 200 % zoom on a 1024×768 window is a 512×384 CSS-pixel viewport. */
const SIZES = [
  { name: '1024×768', width: 1024, height: 768 },
  { name: '200 % zoom', width: 512, height: 384 },
  { name: '1920×1080', width: 1920, height: 1080 },
] as const;

/**
 * Requests of every kind, a session, an offline code and a second user: a page of each to look at.
 * The spec's tests share one server, so each seeds its own names (`tag`).
 */
async function seed(stack: AppStack, tag = ''): Promise<{ referenceOfAnn: string; ann: string; bob: string; olga: string }> {
  const [ann, bob, olga] = ['ann', 'bob', 'olga'].map((name) => `CORP\\${tag}${name}`) as [string, string, string];
  const { clientId, client } = await stack.enrollClient(`PC-FINANCE-07${tag}`, 'machine');
  // ann unlocked before with her own address, so another one is a "new email".
  const own = `${tag}ann@corp.example.com`;
  await stack.admin(routes.generateOtp, { body: { clientId, osUser: ann, email: own } });
  const otp = await stack.otpFor(own);
  await client(routes.verifyOtp, { body: { osUser: ann, email: own, otp, nonce: testNonce() } });
  const asked = await client(routes.createOtpRequest, {
    body: { osUser: ann, method: 'email', email: `${tag}ann.private.mailbox.with.a.long.name@home-provider.example.net` },
  });
  const second = await stack.enrollClient(`PC-RECEPTION-02${tag}`);
  await second.client(routes.createOtpRequest, {
    body: {
      osUser: olga,
      method: 'emergency',
      email: `${tag}olga@corp.example.com`,
      reason: 'Payroll run due at noon; the finance lead is travelling and cannot approve from the road',
    },
  });
  const third = await stack.enrollClient(`PC-WAREHOUSE-10${tag}`);
  await third.client(routes.createOtpRequest, { body: { osUser: bob, method: 'email', email: `${tag}bob@corp.example.com` } });
  await stack.admin(routes.createUser, {
    body: { login: `${tag}helga`, password: 'helga-password-1', email: `${tag}helga@corp.example.com` },
  });
  await stack.admin(routes.offlineResponse, {
    params: { clientId },
    body: { osUser: ann, challenge: '7K3MQ9TB', reason: 'Ticket 4711, called from the train' },
  });
  return { referenceOfAnn: requestReference(asked.requestId), ann, bob, olga };
}

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    tables: Array.from(document.querySelectorAll<HTMLElement>('.table-wrap'), (t) => t.scrollWidth - t.clientWidth),
  }));
  expect(widths.page, `${where}: page wider than the window`).toBeLessThanOrEqual(widths.viewport);
  for (const extra of widths.tables) expect(extra, `${where}: a table scrolls sideways`).toBeLessThanOrEqual(0);
}

/** Inside the window, left to right. */
async function expectInView(page: Page, what: Locator, where: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const width = page.viewportSize()!.width;
  const box = (await what.boundingBox())!;
  expect(box, `${where}: not rendered`).not.toBeNull();
  expect(box.x, `${where}: starts left of the window`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${where}: ends right of the window`).toBeLessThanOrEqual(width + 0.5);
  return box;
}

/** Every row of the table: its first cell (what it is about) and its action side by side, both in view. */
async function expectRowsFit(page: Page, table: Locator, action: (row: Locator) => Locator, where: string, cells: string[] = []) {
  const rows = table.locator('tbody > tr:not(.timeline-row)');
  const count = await rows.count();
  expect(count, `${where}: rows`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const identity = await expectInView(page, row.locator('td').first(), `${where}, row ${i + 1}, first cell`);
    const acting = await expectInView(page, action(row), `${where}, row ${i + 1}, action`);
    // Beside: the action starts above the end of the identity cell and ends below its start.
    expect(acting.y, `${where}, row ${i + 1}: action below its row's name`).toBeLessThan(identity.y + identity.height);
    expect(acting.y + acting.height, `${where}, row ${i + 1}: action above its row's name`).toBeGreaterThan(identity.y);
    for (const label of cells) await expectInView(page, row.locator(`td[data-label="${label}"]`), `${where}, row ${i + 1}, ${label}`);
  }
}

const PAGES: { title: string; table: string; action: (row: Locator) => Locator; cells?: string[]; shot: string }[] = [
  {
    title: 'Access Requests',
    table: 'Pending access requests',
    action: (row) => row.getByRole('button', { name: /^Approve/ }),
    cells: ['Computer', 'User', 'Email', 'Method', 'Reference', 'Reason', 'Time left', 'Decision'],
    shot: 'access-requests',
  },
  {
    title: 'Client Sessions',
    table: 'Client sessions, page 1',
    action: (row) => row.getByRole('button', { name: /timeline/i }),
    shot: 'client-sessions',
  },
  { title: 'Clients', table: 'Enrolled clients', action: (row) => row.getByRole('button', { name: /^Remove/ }), shot: 'clients' },
  { title: 'Users', table: 'Internal users', action: (row) => row.getByRole('button', { name: /^Delete/ }), shot: 'users' },
  { title: 'Audit', table: 'Audit events, newest first', action: (row) => row.locator('td[data-label="Detail"]'), shot: 'audit' },
  {
    title: 'Offline Unlock',
    table: 'Offline unlocks, newest first',
    action: (row) => row.locator('td.cell-actions'),
    shot: 'offline-unlock',
  },
];

test('every page shows each row with its actions beside it, without sideways scrolling, at 1024×768, 200 % and 1920×1080', async ({
  page,
  stack,
}) => {
  test.setTimeout(180_000);
  await seed(stack);
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await expect(page.getByTestId('pending-badge')).toHaveText('3', { timeout: 15_000 });
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const p of PAGES) {
      await openPage(page, p.title);
      const table = page.getByRole('table', { name: p.table });
      await expect(table.locator('tbody > tr').first()).toBeVisible();
      const where = `${p.title} at ${size.name}`;
      if (p.title === 'Access Requests') {
        // The flags wrap within the row: the warning is in view, never off to the right.
        await expectInView(page, page.getByTestId('new-email-warning'), `${where}, new email warning`);
        await expectInView(page, page.getByTestId('emergency-mark'), `${where}, emergency mark`);
      }
      await expectRowsFit(page, table, p.action, where, p.cells);
      await expectNoSidewaysScroll(page, where);
      if (size.name === '1024×768') await screenshot(page, `${p.shot}-1024`);
      if (size.name !== '1920×1080') await expectAxeClean(page, where);
    }
  }
});

test('the header takes one row at 1024 px and the console has an icon', async ({ page, stack }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  const tops = await links.evaluateAll((all) => all.map((a) => Math.round(a.getBoundingClientRect().top)));
  expect(new Set(tops).size).toBe(1);
  const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
  const brand = await page.locator('.brand').boundingBox();
  expect(Math.abs(signOut!.y + signOut!.height / 2 - (brand!.y + brand!.height / 2))).toBeLessThan(8);
  expect((await page.locator('header.topbar').boundingBox())!.height).toBeLessThan(64);
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toMatch(/^\/console\/assets\/.*\.svg$/);
  const served = await page.request.get(`${stack.baseUrl}${icon}`);
  expect(served.status()).toBe(200);
  expect(served.headers()['content-type']).toContain('image/svg+xml');
});

test('flags in words: a new email warns, a first request says so once; an emergency stands out; a reference finds its request', async ({
  page,
  stack,
}) => {
  const seeded = await seed(stack, 'f-');
  const { referenceOfAnn } = seeded;
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  const pending = page.getByRole('table', { name: 'Pending access requests' });
  const ann = pending.getByRole('row').filter({ hasText: seeded.ann });
  const bob = pending.getByRole('row').filter({ hasText: seeded.bob });
  const olga = pending.getByRole('row').filter({ hasText: seeded.olga });
  await expect(ann.getByTestId('new-email-warning')).toHaveText(
    `New email: ${seeded.ann} has not used this address before. Check it with them before approving.`,
  );
  await expect(ann).toContainText('Known emails: f-ann@corp.example.com');
  await expect(bob.getByTestId('new-email-warning')).toHaveCount(0);
  await expect(bob.getByTestId('first-request-note')).toHaveText('First request: no earlier email to compare with.');
  await expect(olga.getByTestId('emergency-mark')).toHaveText(/Emergency/);
  await expect(olga).toHaveClass(/row-emergency/);
  await expect(ann).toContainText(referenceOfAnn);

  // The user reads the reference off the lock; the helpdesk types it however it was heard.
  await page.getByRole('textbox', { name: 'Reference' }).fill(referenceOfAnn.toLowerCase().replace('-', ' '));
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const found = page.getByRole('table', { name: `Request ${referenceOfAnn}` });
  await expect(
    found
      .getByRole('row')
      .filter({ hasText: seeded.ann })
      .getByRole('button', { name: /^Approve/ }),
  ).toBeVisible();
  await expectAxeClean(page, 'Access Requests, a request found by its reference');
  await screenshot(page, 'access-requests-reference');
  await page.getByRole('textbox', { name: 'Reference' }).fill('K7Q');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('A reference is 8 letters and digits, like K7QF-2M9X.');
  await expectAxeClean(page, 'Access Requests, a reference that cannot be one');

  // Statuses in words, never the raw code.
  const status = page.getByLabel('Status');
  await expect(status.locator('option')).toContainText(['Replaced by a newer request', 'Blocked after wrong codes']);
  await expect(status.locator('option', { hasText: /^superseded$|^burnt$/ })).toHaveCount(0);
});

test('Settings: the directory state, auto-send refused without a directory, the grace minutes under their checkbox, the contract’s domain rule', async ({
  page,
  stack,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Settings');
  await expect(page.getByTestId('directory-state')).toHaveText(
    'No directory is configured on this server (LATCHKEY_LDAP_URL), so this cannot be switched on.',
  );
  await expect(page.getByLabel('Maximum verification attempts', { exact: true })).toBeVisible();
  await expect(page.getByText('(attempts)')).toHaveCount(0);

  const askAgain = (await page
    .getByLabel('Ask for a one-time password again when the session is unlocked, reconnected or resumed')
    .boundingBox())!;
  const grace = (await page.getByLabel(/Do not ask again within this many minutes/).boundingBox())!;
  const next = (await page.getByText('Email addresses', { exact: true }).boundingBox())!;
  expect(grace.y).toBeGreaterThan(askAgain.y);
  expect(grace.y).toBeLessThan(next.y);
  expect(grace.y - askAgain.y).toBeLessThan(200);
  expect(grace.x).toBeGreaterThan(askAgain.x);

  await page.getByLabel('Automatically send one-time passwords to Active Directory users').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.notice-error')).toContainText('No directory is configured on this server');
  expect((await stack.admin(routes.getSettings, {})).autoSendToDirectoryUsers).toBe(false);
  await expectAxeClean(page, 'Settings, auto-send refused without a directory');
  await page.getByLabel('Automatically send one-time passwords to Active Directory users').uncheck();

  await page.getByLabel('Allowed email domains').fill('corp.example.com\nnot a domain');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('"not a domain" is not a domain name such as corp.example.com.')).toBeVisible();
  await page.getByLabel('Allowed email domains').fill('corp.example.com\n-bad-.example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('"-bad-.example.com" is not a domain name such as corp.example.com.')).toBeVisible();
  await screenshot(page, 'settings-1024');
});

test('Users: a new user is a user unless someone chooses more', async ({ page, stack }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Users');
  await expect(page.locator('#new-role')).toHaveValue('user');
  await page.locator('#new-login').fill('newbie');
  await page.locator('#new-email').fill('newbie@corp.example.com');
  await page.locator('#new-password').fill('newbie-password-1');
  await page.getByRole('button', { name: /^Create/ }).click();
  await expect(page.getByRole('table', { name: 'Internal users' }).getByRole('row').filter({ hasText: 'newbie' })).toContainText('user');
  expect((await stack.admin(routes.listUsers, {})).find((u) => u.login === 'newbie')?.role).toBe('user');
});

test('Offline Unlock lists a code as soon as it is given; Generate Password finds computers and sorts them naturally', async ({
  page,
  stack,
}) => {
  // Installer-enrolled computers (machine Clients): the helpdesk gives offline codes for those only (v1.2).
  for (const name of ['PC-10', 'PC-2', 'PC-1', 'LAPTOP-7']) await stack.enrollClient(name, 'machine');
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);

  await openPage(page, 'Offline Unlock');
  const list = page.getByRole('table', { name: 'Offline unlocks, newest first' }).or(page.getByText('No offline unlocks yet.'));
  await expect(list).toBeVisible();
  const forPc2 = page.getByRole('table', { name: 'Offline unlocks, newest first' }).getByRole('row').filter({ hasText: 'PC-2' });
  await expect(forPc2).toHaveCount(0);
  await page.locator('#offline-clientId').selectOption({ label: 'PC-2' });
  await page.locator('#offline-osUser').fill('CORP\\ann');
  await page.locator('#offline-challenge').fill('7K3M-Q9TB');
  await page.locator('#offline-reason').fill('Ticket 4711');
  await page.getByRole('button', { name: 'Get response code' }).click();
  await expect(page.getByTestId('response-code')).toBeVisible();
  // No reload: the list shows the code just given.
  await expect(forPc2).toHaveCount(1);
  await expect(forPc2).toContainText('Ticket 4711');
  await expectAxeClean(page, 'Offline Unlock right after a code was given');

  await openPage(page, 'Generate Password');
  const select = page.locator('#gen-client');
  const names = async () => (await select.locator('option').allTextContents()).slice(1);
  const mine = ['LAPTOP-7', 'PC-1', 'PC-2', 'PC-10'];
  expect((await names()).filter((n) => mine.includes(n))).toEqual(mine);
  await page.getByLabel('Find a computer').fill('pc-1');
  expect(await names()).toEqual(['PC-1', 'PC-10']);
  await expect(page.getByText(/^2 of \d+ computers match\.$/)).toBeVisible();
  await expectAxeClean(page, 'Generate Password, computers searched');
  await screenshot(page, 'generate-password-search');
});

test('Client Sessions says “Not responding” for a session whose computer missed its heartbeats', async ({ page, stack }) => {
  const { clientId, client } = await stack.enrollClient('PC-QUIET-01');
  await stack.admin(routes.generateOtp, { body: { clientId, osUser: 'CORP\\quiet', email: 'quiet@corp.example.com' } });
  const otp = await stack.otpFor('quiet@corp.example.com');
  await client(routes.verifyOtp, { body: { osUser: 'CORP\\quiet', email: 'quiet@corp.example.com', otp, nonce: testNonce() } });
  // The server decides the state after 3 missed heartbeats (apps/server/test/helpdesk); waiting 3
  // minutes here would prove nothing more, so the answer is changed on its way to the page.
  await page.route('**/api/v1/admin/sessions?*', async (route) => {
    const answer = await route.fetch();
    const sessions = (await answer.json()) as AdminSession[];
    await route.fulfill({ response: answer, json: sessions.map((s) => (s.endedAt === null ? { ...s, state: 'not_responding' } : s)) });
  });
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, stack.baseUrl, 'admin', stack.adminPassword);
  await openPage(page, 'Client Sessions');
  const row = page.getByRole('table', { name: 'Client sessions, page 1' }).getByRole('row').filter({ hasText: 'PC-QUIET-01' });
  await expect(row).toContainText('Not responding');
  await expect(row).not.toContainText(/\bActive\b/);
  await expectAxeClean(page, 'Client Sessions with a session not responding');
});

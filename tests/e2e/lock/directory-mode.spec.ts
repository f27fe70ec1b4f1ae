import { SCREENSHOT_DIR, expect, test as base } from '../support/fixtures.ts';
import { routes } from '@latchkey/contracts';
import { startSlapd, type Slapd, slapdEnv } from '@latchkey/test-support';
import { expectUnlocked, logIn, lockPopup, openLock, requestPopup, expectAxeClean } from './lock-helpers.ts';

// Active Directory auto-send with a real directory: OpenLDAP (slapd) answering the server's lookup.
const test = base.extend<object, { slapd: Slapd }>({
  slapd: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const slapd = await startSlapd({ users: [{ uid: 'alice', mail: 'alice@corp.example.com' }] });
      await use(slapd);
      await slapd.stop();
    },
    { scope: 'worker' },
  ],
  serverEnv: async ({ slapd }, use) => {
    await use({
      ...slapdEnv(slapd),
      LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
    });
  },
});
test.use({ settings: { autoSendToDirectoryUsers: true } });

test('one click on Request sends the code to the directory mail of CORP\\alice, and it unlocks', async ({ page, stack }) => {
  await openLock(page, stack, 'PC-AD-LDAP-01');
  await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
  const request = requestPopup(page);
  await expect(request.getByRole('textbox')).toHaveCount(0);
  await request.getByRole('button', { name: 'Request' }).click();

  const lock = lockPopup(page);
  await expect(lock.getByRole('status')).toHaveText(
    'A one-time password has been sent to alice@corp.example.com. Enter it below to log in.',
  );
  await expect(lock.getByLabel('Email')).toHaveValue('alice@corp.example.com');
  await expect(lock.getByLabel('Email')).not.toBeEditable();
  await expectAxeClean(page, 'lock-directory-sent');
  await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-directory-sent.png` });
  await logIn(page, await stack.otpFor('alice@corp.example.com'));
  await expectUnlocked(page);
  const sessions = await stack.admin(routes.listSessions, {});
  expect(sessions[0]).toMatchObject({ computerName: 'PC-AD-LDAP-01', userName: 'CORP\\alice (alice@corp.example.com)' });
});

test('a user the directory does not know is told to use emergency access', async ({ page, stack }) => {
  await page.goto(`${stack.baseUrl}/preview/lock?computer=PC-AD-LDAP-02&user=${encodeURIComponent('CORP\\mallory')}`);
  await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
  await requestPopup(page).getByRole('button', { name: 'Request' }).click();
  await expect(requestPopup(page).getByRole('status')).toHaveText(
    'Your account was not found in the company directory. Use emergency access instead.',
  );
  await requestPopup(page).getByLabel('I need emergency access to computer').check();
  await requestPopup(page).getByLabel('Email').fill('mallory@corp.example.com');
  await requestPopup(page).getByRole('button', { name: 'Request' }).click();
  await expect(lockPopup(page).getByRole('status')).toContainText('waiting for approval');
});

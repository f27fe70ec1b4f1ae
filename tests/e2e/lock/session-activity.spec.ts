import { OS_USER, expect, test } from '../support/fixtures.ts';
import AxeBuilder from '@axe-core/playwright';
import { routes } from '@latchkey/contracts';
import { expectUnlocked, logIn, lockPopup, openLock } from './lock-helpers.ts';

test('after an unlock the preview records the session activity and its simulate buttons feed it to the server', async ({
  page,
  stack,
  pageErrors,
}) => {
  await openLock(page, stack, 'PC-ACTIVITY-01');
  // Before the unlock there is no session, so no activity controls.
  await expect(page.getByRole('button', { name: 'Simulate screen lock' })).toBeHidden();

  const clientId = (await stack.admin(routes.listClients, {})).find((c) => c.computerName === 'PC-ACTIVITY-01')!.clientId;
  await stack.admin(routes.generateOtp, { body: { clientId, osUser: OS_USER, email: 'alice.activity@corp.example.com' } });
  const otp = await stack.otpFor('alice.activity@corp.example.com');
  await lockPopup(page).getByLabel('Email').fill('alice.activity@corp.example.com');
  await logIn(page, otp);
  await expectUnlocked(page);

  const controls = page.getByRole('complementary', { name: 'Preview: session activity' });
  await controls.getByRole('button', { name: 'Simulate screen lock' }).click();
  await expect(controls.getByRole('status')).toHaveText('Recorded “screen lock” and sent it to the server.');
  await controls.getByRole('button', { name: 'Simulate idle' }).click();
  await expect(controls.getByRole('status')).toHaveText('Recorded “idle” and sent it to the server.');
  await controls.getByRole('button', { name: 'Simulate idle' }).click();
  await expect(controls.getByRole('status')).toHaveText('Nothing new to record: the session is already idle.');
  const axe = await new AxeBuilder({ page }).include('.preview-activity').analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  const [session] = await stack.admin(routes.listSessions, { query: { q: 'PC-ACTIVITY-01' } });
  const events = await stack.admin(routes.listSessionEvents, { params: { sessionId: session!.sessionId } });
  expect(events.map((e) => e.type)).toEqual(['unlock.generated', 'screen.locked', 'idle']);

  // The re-lock simulations are recorded too; while locked again the activity controls are gone.
  await page
    .getByRole('complementary', { name: 'Preview: session events' })
    .getByRole('button', { name: 'Simulate resume from sleep' })
    .click();
  await expect(lockPopup(page)).toBeVisible();
  await expect(controls).toBeHidden();
  await expect
    .poll(async () => (await stack.admin(routes.listSessionEvents, { params: { sessionId: session!.sessionId } })).map((e) => e.type), {
      timeout: 15_000,
    })
    .toEqual(['unlock.generated', 'screen.locked', 'idle', 'resume']);
  expect(pageErrors).toEqual([]);
});

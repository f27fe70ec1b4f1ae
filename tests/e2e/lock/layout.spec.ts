import type { Page } from '@playwright/test';
import { SCREENSHOT_DIR, expect, test } from '../support/fixtures.ts';
import { expectAxeClean, lockPopup, openLock, requestPopup } from './lock-helpers.ts';

test.use({ settings: { autoSendToInternalUsers: true } });

async function expectFits(page: Page, popupName: 'lock' | 'request') {
  const popup = popupName === 'lock' ? lockPopup(page) : requestPopup(page);
  // The page itself never scrolls: the card fits the viewport and scrolls inside itself when it must.
  const overflow = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    y: document.documentElement.scrollHeight - document.documentElement.clientHeight,
  }));
  expect(overflow.x).toBeLessThanOrEqual(0);
  expect(overflow.y).toBeLessThanOrEqual(0);
  const box = (await popup.boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  // Every control can be reached by keyboard, and is then on screen.
  const controls = await popup.locator('input:visible, button:visible').all();
  for (const control of controls) {
    await control.focus();
    await expect(control).toBeInViewport();
  }
}

// 200 % scaling on a 1024×768 screen leaves 512×384 CSS pixels: the pop-up must still work (it scrolls).
const sizes = [
  { name: '1024x768', viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1 },
  { name: '200-percent', viewport: { width: 512, height: 384 }, deviceScaleFactor: 2 },
  { name: '4k', viewport: { width: 3840, height: 2160 }, deviceScaleFactor: 1 },
];

for (const size of sizes) {
  test.describe(`at ${size.name}`, () => {
    test.use({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });

    test('both pop-ups fit and every control can be reached', async ({ page, stack }) => {
      await openLock(page, stack, `PC-LAYOUT-${size.name}`.slice(0, 60));
      await expectAxeClean(page, `lock pop-up at ${size.name}`);
      // A capture of the viewport (what the person sees), not of the whole page.
      if (size.name === '200-percent')
        await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-popup-200-percent.png` });
      await expectFits(page, 'lock');
      await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
      await expect(requestPopup(page)).toBeVisible();
      await expectAxeClean(page, `request pop-up at ${size.name}`);
      if (size.name === '200-percent')
        await page.screenshot({ animations: 'disabled', path: `${SCREENSHOT_DIR}lock-request-200-percent.png` });
      await expectFits(page, 'request');
      const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
      if (size.name === '4k') expect(fontSize).toBeGreaterThan(20);
      else expect(fontSize).toBeGreaterThanOrEqual(16);
    });
  });
}

test.describe('keyboard only', () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('Tab reaches every control of the request pop-up in order, and the checkbox toggles with Space', async ({ page, stack }) => {
    await openLock(page, stack, 'PC-KEYS-01');
    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).focus();
    await page.keyboard.press('Enter');
    const request = requestPopup(page);
    await expect(request.getByLabel('Login name')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(request.getByLabel('Password', { exact: true })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(request.getByLabel('I need emergency access to computer')).toBeFocused();
    await page.keyboard.press('Space');
    await expect(request.getByLabel('Email')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(request.getByLabel('Reason')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(request.getByRole('button', { name: 'Request' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(request.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(lockPopup(page)).toBeVisible();
  });
});

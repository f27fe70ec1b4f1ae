import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from '@playwright/test';
import { routes } from '@latchkey/contracts';
import { expect, test } from '../support/fixtures.ts';
import { lockPopup, requestPopup } from '../lock/lock-helpers.ts';

// Runs only where an Electron binary exists: ELECTRON_OVERRIDE_DIST_PATH is the folder holding it
// (the same variable the electron npm package honours). The client must be built first.
const distPath = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const binary = distPath ? join(distPath, process.platform === 'win32' ? 'electron.exe' : 'electron') : undefined;
const MAIN = fileURLToPath(new URL('../../../apps/client/dist/main/main/main.js', import.meta.url));
const hasBinary = !!binary && existsSync(binary);

test.skip(
  !hasBinary,
  `no Electron binary on this machine: set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45 folder (checked: ${binary ?? 'variable not set'})`,
);

test.use({
  // The Client locks the account running this test: link its name (any domain) to ivy for the internal method.
  users: { ivy: { password: 'ivy-password-1', email: 'ivy@corp.example.com', windowsAccounts: [userInfo().username] } },
  settings: { autoSendToInternalUsers: true },
});

let work: string;
test.beforeAll(() => {
  if (hasBinary) work = mkdtempSync(join(tmpdir(), 'latchkey-electron-'));
});
test.afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the lock covers the screen, exposes only the bridge, and unlocks with an emailed code', async ({ stack }) => {
  expect(existsSync(MAIN), 'build the client first: npm run build -w @latchkey/client').toBe(true);
  const config = join(work, 'client.json');
  writeFileSync(config, JSON.stringify({ serverUrl: stack.baseUrl, enrollmentKey: stack.enrollmentKey, computerName: 'PC-ELECTRON-01' }));
  const app = await electron.launch({
    executablePath: binary!,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN],
    env: { ...process.env, LATCHKEY_CLIENT_CONFIG: config, XDG_CONFIG_HOME: join(work, 'config'), HOME: work } as Record<string, string>,
  });
  try {
    const page = await app.firstWindow();
    await expect(lockPopup(page)).toBeVisible({ timeout: 20_000 });

    const win = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      return { onTop: w.isAlwaysOnTop(), closable: w.isClosable(), minimizable: w.isMinimizable(), kiosk: w.isKiosk() };
    });
    expect(win).toEqual({ onTop: true, closable: false, minimizable: false, kiosk: true });

    const exposed = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { latchkey: object }).latchkey).sort(),
      node: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({
      bridge: ['getState', 'onStateChanged', 'requestOtp', 'resend', 'retryNow', 'showLock', 'showRequest', 'signOut', 'verify'],
      node: 'undefined',
      process: 'undefined',
    });

    await lockPopup(page).getByRole('button', { name: 'Request One-Time Password' }).click();
    await requestPopup(page).getByLabel('Login name').fill('ivy');
    await requestPopup(page).getByLabel('Password', { exact: true }).fill('ivy-password-1');
    await requestPopup(page).getByRole('button', { name: 'Request' }).click();
    const code = await stack.otpFor('ivy@corp.example.com');
    await lockPopup(page).getByLabel('One-time password').fill(code);
    await lockPopup(page).getByRole('button', { name: 'Log in' }).click();

    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length)).toBe(0);
    const sessions = await stack.admin(routes.listSessions, {});
    expect(sessions[0]).toMatchObject({ computerName: 'PC-ELECTRON-01', email: 'ivy@corp.example.com' });
  } finally {
    await app.close().catch(() => undefined);
  }
});

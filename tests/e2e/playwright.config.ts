import { defineConfig } from '@playwright/test';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: { executablePath: process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'off',
  },
  projects: [
    // The size the screenshots in docs/screenshots are taken at.
    { name: 'lock', testDir: './lock', use: { viewport: { width: 1366, height: 768 } } },
    { name: 'console', testDir: './console', use: { viewport: { width: 1366, height: 768 } } },
    { name: 'electron', testDir: './electron' },
  ],
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// No Electron binary here: main.ts is loaded against a bare stand-in of the electron module to check
// the installer mode (write a file, exit, open nothing) and that the entry's imports resolve.
const exit = vi.fn();
const whenReady = vi.fn(() => new Promise<void>(() => undefined));
vi.mock('electron', () => ({
  app: { exit, whenReady, requestSingleInstanceLock: () => true, on: vi.fn(), getPath: () => tmpdir() },
  BrowserWindow: vi.fn(),
  screen: { on: vi.fn(), getAllDisplays: () => [] },
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
  net: { fetch: vi.fn() },
  powerMonitor: { on: vi.fn() },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  safeStorage: { isEncryptionAvailable: () => false },
  session: { defaultSession: {} },
}));

const dir = mkdtempSync(join(tmpdir(), 'latchkey-installer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('main entry in installer mode', () => {
  it('writes the task XML for this executable and exits before any window', async () => {
    const target = join(dir, 'task.xml');
    const argv = process.argv;
    process.argv = [process.execPath, 'main.js', '--write-task-xml', target];
    try {
      await import('../../src/main/main.js');
    } finally {
      process.argv = argv;
    }
    expect(exit).toHaveBeenCalledWith(0);
    expect(whenReady).not.toHaveBeenCalled();
    const bytes = readFileSync(target);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const xml = bytes.subarray(2).toString('utf16le');
    expect(xml).toContain(`<Command>${process.execPath}</Command>`);
    expect(xml).toContain('<LogonTrigger>');
  });

  it('writes the guard task XML (SYSTEM, --guard) for this executable and exits', async () => {
    vi.resetModules();
    exit.mockClear();
    const target = join(dir, 'guard-task.xml');
    const argv = process.argv;
    process.argv = [process.execPath, 'main.js', '--write-guard-task-xml', target];
    try {
      await import('../../src/main/main.js');
    } finally {
      process.argv = argv;
    }
    expect(exit).toHaveBeenCalledWith(0);
    const xml = readFileSync(target).subarray(2).toString('utf16le');
    expect(xml).toContain(`<Command>${process.execPath}</Command>`);
    expect(xml).toContain('<Arguments>--guard</Arguments>');
    expect(xml).toContain('<UserId>S-1-5-18</UserId>');
  });

  it.skipIf(process.platform === 'win32')('refuses guard mode outside Windows, before any window or network', async () => {
    vi.resetModules();
    exit.mockClear();
    whenReady.mockClear();
    const argv = process.argv;
    process.argv = [process.execPath, 'main.js', '--guard'];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await import('../../src/main/main.js');
    } finally {
      process.argv = argv;
      stderr.mockRestore();
    }
    expect(exit).toHaveBeenCalledWith(2);
    expect(whenReady).not.toHaveBeenCalled();
  });
});

import { describe, expect, it } from 'vitest';
import { signOutCommand } from '../../src/main/sign-out.js';
import { createWatchdog, watchdogDecision } from '../../src/main/watchdog.js';

describe('sign-out command', () => {
  it('logs the user off on Windows with shutdown /l', () => {
    expect(signOutCommand('win32', { SystemRoot: 'C:\\Windows' })).toEqual({
      command: 'C:\\Windows\\System32\\shutdown.exe',
      args: ['/l'],
    });
  });
  it('terminates the logind session on Linux, never with a session id it did not validate', () => {
    expect(signOutCommand('linux', { XDG_SESSION_ID: '3' })).toEqual({ command: 'loginctl', args: ['terminate-session', '3'] });
    expect(signOutCommand('linux', { XDG_SESSION_ID: '3; rm -rf /', USER: 'alice' })).toEqual({
      command: 'loginctl',
      args: ['terminate-user', 'alice'],
    });
  });
});

describe('watchdog', () => {
  it('reloads a page that died once, and signs out when it keeps dying', () => {
    let now = 0;
    const watchdog = createWatchdog(() => now, { maxRestarts: 3, windowMs: 60_000 });
    expect([watchdog.crashed(), watchdog.crashed(), watchdog.crashed()]).toEqual(['restart', 'restart', 'restart']);
    expect(watchdog.crashed()).toBe('sign-out');
    now = 120_000;
    expect(watchdog.crashed()).toBe('restart');
  });
  it('counts only crashes inside the window', () => {
    expect(watchdogDecision([0, 1, 2, 3], 100_000)).toBe('restart');
    expect(watchdogDecision([99_000, 99_500, 99_800, 99_900], 100_000)).toBe('sign-out');
  });
});

import { describe, expect, it } from 'vitest';
import { parseTasklistSessionId, sessionScopeName, tasklistCommand } from '../../src/main/session-scope.js';

describe('one lock per OS session', () => {
  it('scopes the single-instance lock to the Windows session, not the user', () => {
    expect(sessionScopeName('win32', {}, 1)).toBe('session-1');
    expect(sessionScopeName('win32', {}, 3)).toBe('session-3');
    // Two sessions of one user get two directories, so two locks.
    expect(sessionScopeName('win32', {}, 1)).not.toBe(sessionScopeName('win32', {}, 2));
  });

  it('takes no guard when the session cannot be told (a second lock beats none)', () => {
    expect(sessionScopeName('win32', {}, undefined)).toBeUndefined();
    expect(sessionScopeName('win32', {}, -1)).toBeUndefined();
    expect(sessionScopeName('linux', {})).toBeUndefined();
    expect(sessionScopeName('linux', { XDG_SESSION_ID: '../x' })).toBeUndefined();
  });

  it('uses the XDG session id on Linux desktops', () => {
    expect(sessionScopeName('linux', { XDG_SESSION_ID: 'c2' })).toBe('session-c2');
  });

  it("reads this process's session id from tasklist's CSV, whatever the session name", () => {
    expect(tasklistCommand(4242)).toEqual({ command: 'tasklist.exe', args: ['/FI', 'PID eq 4242', '/FO', 'CSV', '/NH'] });
    expect(parseTasklistSessionId('"Latchkey.exe","4242","RDP-Tcp#3","2","81,236 K"\r\n', 4242)).toBe(2);
    expect(parseTasklistSessionId('"Latchkey.exe","4242","Console","1","81.236 K"', 4242)).toBe(1);
    expect(parseTasklistSessionId('"Latchkey.exe","4243","Console","1","1 K"', 4242)).toBeUndefined();
    expect(parseTasklistSessionId('INFO: No tasks are running which match the specified criteria.', 4242)).toBeUndefined();
    expect(parseTasklistSessionId('', 4242)).toBeUndefined();
  });
});

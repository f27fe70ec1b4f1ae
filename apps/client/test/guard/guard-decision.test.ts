import { describe, expect, it } from 'vitest';
import { guardDecision, userKey, type GuardInput } from '../../src/guard/guard-decision.js';
import { interactiveSessions, lockSessions, parseExecutablePaths, parseTasklist, samePath } from '../../src/guard/windows-sessions.js';

const GRACE = 20_000;
const alice = { windowsSessionId: 1, user: 'CORP\\alice' };
const bob = { windowsSessionId: 3, user: 'CORP\\bob' };

function input(patch: Partial<GuardInput>): GuardInput {
  return {
    sessions: [alice, bob],
    lockRunningIn: new Set(),
    unlockedUsers: new Set(),
    restarts: new Map(),
    now: 1_000_000,
    restartGraceMs: GRACE,
    ...patch,
  };
}

describe('guard decision over fake session and process lists', () => {
  it('leaves sessions whose lock runs, and sessions whose user the server says has unlocked', () => {
    const decision = guardDecision(input({ lockRunningIn: new Set([1]), unlockedUsers: new Set([userKey('corp\\BOB')]) }));
    expect(decision.actions).toEqual([]);
    expect([...decision.restarts]).toEqual([]);
  });

  it('restarts the lock at once in a session whose lock was ended before its user unlocked', () => {
    const decision = guardDecision(input({ lockRunningIn: new Set([3]) }));
    expect(decision.actions).toEqual([{ kind: 'restart-lock', windowsSessionId: 1, user: 'CORP\\alice' }]);
    expect([...decision.restarts]).toEqual([[1, 1_000_000]]);
  });

  it('waits for a restarted lock during the grace, then signs the session out if it never came up', () => {
    const restarts = new Map([[1, 1_000_000]]);
    const waiting = guardDecision(input({ lockRunningIn: new Set([3]), restarts, now: 1_000_000 + GRACE - 1 }));
    expect(waiting.actions).toEqual([]);
    expect([...waiting.restarts]).toEqual([[1, 1_000_000]]);
    const late = guardDecision(input({ lockRunningIn: new Set([3]), restarts, now: 1_000_000 + GRACE }));
    expect(late.actions).toEqual([{ kind: 'sign-out', windowsSessionId: 1, user: 'CORP\\alice' }]);
  });

  it('forgets a restart once the lock runs again or the session is gone', () => {
    const restarts = new Map([
      [1, 1_000_000],
      [7, 1_000_000],
    ]);
    const decision = guardDecision(input({ lockRunningIn: new Set([1, 3]), restarts, now: 1_000_000 + GRACE }));
    expect(decision.actions).toEqual([]);
    expect([...decision.restarts]).toEqual([]);
  });

  it('fails closed: without a trustworthy answer from the server nobody counts as unlocked', () => {
    const decision = guardDecision(input({ unlockedUsers: undefined }));
    expect(decision.actions.map((a) => a.kind)).toEqual(['restart-lock', 'restart-lock']);
  });

  it('matches users case-insensitively and in NFC, and only the same account', () => {
    const decomposed = 'CORP\\Jose\u0301';
    const sessions = [{ windowsSessionId: 2, user: 'corp\\JOS\u00c9' }];
    expect(guardDecision(input({ sessions, unlockedUsers: new Set([userKey(decomposed)]) })).actions).toEqual([]);
    expect(guardDecision(input({ sessions, unlockedUsers: new Set([userKey('OTHER\\jose')]) })).actions).toHaveLength(1);
  });
});

describe('tasklist parsing', () => {
  const TASKLIST = [
    '"System Idle Process","0","Services","0","8 K","Unknown","NT AUTHORITY\\SYSTEM","2:00:00","N/A"',
    '"winlogon.exe","612","Console","1","9,120 K","Unknown","NT AUTHORITY\\SYSTEM","0:00:00","N/A"',
    '"dwm.exe","1020","Console","1","80,000 K","Running","Window Manager\\DWM-1","0:00:10","N/A"',
    '"fontdrvhost.exe","900","Console","1","3,000 K","Unknown","Font Driver Host\\UMFD-1","0:00:00","N/A"',
    '"explorer.exe","4410","Console","1","120,000 K","Running","CORP\\alice","0:00:20","Program Manager"',
    '"Latchkey.exe","5120","Console","1","90,000 K","Running","CORP\\alice","0:00:01","Latchkey, ""locked"""',
    '"Latchkey.exe","700","Services","0","40,000 K","Unknown","NT AUTHORITY\\SYSTEM","0:00:01","N/A"',
    '"LogonUI.exe","3000","","2","30,000 K","Running","NT AUTHORITY\\SYSTEM","0:00:00","N/A"',
    '"sihost.exe","6100","RDP-Tcp#4","3","20,000 K","Running","CORP\\bob","0:00:00","N/A"',
    'INFO: not a process line',
  ].join('\r\n');

  it('reads the CSV rows, quoted commas and doubled quotes included', () => {
    const rows = parseTasklist(TASKLIST);
    expect(rows).toHaveLength(9);
    expect(rows[5]).toEqual({ image: 'Latchkey.exe', pid: 5120, windowsSessionId: 1, user: 'CORP\\alice' });
  });

  it('finds the interactive sessions with their user, leaving out session 0 and the logon screen', () => {
    expect(interactiveSessions(parseTasklist(TASKLIST))).toEqual([
      { windowsSessionId: 1, user: 'CORP\\alice' },
      { windowsSessionId: 3, user: 'CORP\\bob' },
    ]);
  });

  it('finds the sessions where the lock runs, not counting the guard in session 0', () => {
    expect([...lockSessions(parseTasklist(TASKLIST), 'latchkey.EXE')]).toEqual([1]);
  });

  it('reads the PowerShell pid|path lines, leaving out processes whose path Windows does not give', () => {
    const paths = parseExecutablePaths('5120|C:\\Program Files\\Latchkey\\Latchkey.exe\r\n6666|\r\nnoise\r\n');
    expect([...paths]).toEqual([[5120, 'C:\\Program Files\\Latchkey\\Latchkey.exe']]);
    expect(samePath('c:/program files/latchkey/LATCHKEY.exe', 'C:\\Program Files\\Latchkey\\Latchkey.exe')).toBe(true);
    expect(samePath('C:\\Users\\alice\\Latchkey.exe', 'C:\\Program Files\\Latchkey\\Latchkey.exe')).toBe(false);
  });
});

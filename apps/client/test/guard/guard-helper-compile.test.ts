import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * latchkey-guard-helper.c builds: compiled here with Debian's mingw-w64 (nothing of it runs on
 * this machine; see docs/client.md, "The guard", for what to check on Windows), warnings as errors,
 * and the PE imports the DLLs and the Win32 calls the guard stands on.
 */
const SOURCE = fileURLToPath(new URL('../../native/latchkey-guard-helper.c', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-native.mjs', import.meta.url));
const GCC = 'x86_64-w64-mingw32-gcc-win32';
const OBJDUMP = 'x86_64-w64-mingw32-objdump';
const hasCompiler = !spawnSync(GCC, ['--version']).error && !spawnSync(OBJDUMP, ['--version']).error;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-helper-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasCompiler)('the guard helper compiles with mingw-w64', () => {
  it('compiles with -Wall -Wextra -Werror (and -Wconversion, -fanalyzer), static, and imports the Win32 calls the guard needs', () => {
    const exe = join(dir, 'strict.exe');
    const gcc = spawnSync(
      GCC,
      [
        '-std=c11',
        '-O2',
        '-municode',
        '-static',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-Wshadow',
        '-Wconversion',
        '-Wsign-conversion',
        '-fanalyzer',
        '-o',
        exe,
        SOURCE,
        '-lwtsapi32',
        '-luserenv',
        '-ladvapi32',
        '-luser32',
      ],
      { encoding: 'utf8' },
    );
    expect(gcc.stderr).toBe('');
    expect(gcc.status).toBe(0);

    const dump = spawnSync(OBJDUMP, ['-p', exe], { encoding: 'utf8' }).stdout;
    expect(dump).toMatch(/file format pei-x86-64/);
    const dlls = [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!.toLowerCase());
    expect(dlls).toEqual(expect.arrayContaining(['wtsapi32.dll', 'advapi32.dll', 'userenv.dll', 'kernel32.dll', 'user32.dll']));
    for (const call of [
      'WTSEnumerateSessionsW',
      'WTSQuerySessionInformationW',
      'WTSRegisterSessionNotification',
      'RegisterSuspendResumeNotification',
      'WTSQueryUserToken',
      'DuplicateTokenEx',
      'CreateEnvironmentBlock',
      'CreateProcessAsUserW',
      'RegisterWaitForSingleObject',
      'TerminateProcess',
      'WTSLogoffSession',
      'CreateNamedPipeW',
      'ConvertStringSecurityDescriptorToSecurityDescriptorW',
      'GetNamedPipeClientProcessId',
      'GetNamedPipeClientSessionId',
    ]) {
      expect(dump, call).toMatch(new RegExp(`\\b${call}\\b`));
    }
  });

  it('builds with the packaging script', () => {
    const exe = join(dir, 'packaged.exe');
    const built = spawnSync(process.execPath, [BUILD_SCRIPT, '--out', exe], { encoding: 'utf8' });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(spawnSync(OBJDUMP, ['-f', exe], { encoding: 'utf8' }).stdout).toMatch(/pei-x86-64/);
  });
});

describe.skipIf(hasCompiler)(`the guard helper (skipped: ${GCC} is not installed; apt-get install gcc-mingw-w64-x86-64-win32)`, () => {
  it.skip('compiles with mingw-w64', () => undefined);
});

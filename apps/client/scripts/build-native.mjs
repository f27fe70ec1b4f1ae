// Builds apps/client/native/latchkey-guard-helper.exe, the guard's Win32 helper (win32-helper.ts),
// with Debian's mingw-w64 (gcc-mingw-w64-x86-64-win32): static, Unicode entry point, warnings as
// errors. Run when packaging for Windows (`npm run build:native -w @latchkey/client`) and by
// test/guard/guard-helper-compile.test.ts; not part of `build`, which needs no cross-compiler.
//   node scripts/build-native.mjs [--out <file.exe>]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELPER_SOURCE = fileURLToPath(new URL('../native/latchkey-guard-helper.c', import.meta.url));
export const HELPER_EXE = fileURLToPath(new URL('../native/latchkey-guard-helper.exe', import.meta.url));
export const MINGW_GCC = 'x86_64-w64-mingw32-gcc-win32';
export const MINGW_FLAGS = ['-std=c11', '-O2', '-municode', '-static', '-s', '-Wall', '-Wextra', '-Werror'];
export const MINGW_LIBS = ['-lwtsapi32', '-luserenv', '-ladvapi32', '-luser32'];

/** Compiles the helper to `out`; returns the compiler's result (status, stderr). */
export function buildHelper(out = HELPER_EXE) {
  mkdirSync(dirname(out), { recursive: true });
  return spawnSync(MINGW_GCC, [...MINGW_FLAGS, '-o', out, HELPER_SOURCE, ...MINGW_LIBS], { encoding: 'utf8' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : HELPER_EXE;
  const result = buildHelper(out);
  if (result.error) {
    console.error(`${MINGW_GCC} not found: apt-get install -y --no-install-recommends gcc-mingw-w64-x86-64-win32`);
    process.exit(2);
  }
  process.stderr.write(result.stderr);
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`built ${out}`);
}

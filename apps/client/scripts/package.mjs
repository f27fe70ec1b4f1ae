// Packages the lock with electron-builder from a local Electron (no download): the unpacked Electron
// folder or zip comes from LATCHKEY_ELECTRON_DIST (or ELECTRON_OVERRIDE_DIST_PATH).
//   LATCHKEY_ELECTRON_DIST=/path/to/electron-v45-linux-x64 npm run package -w @latchkey/client -- --linux
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = process.env.LATCHKEY_ELECTRON_DIST || process.env.ELECTRON_OVERRIDE_DIST_PATH;
if (!dist) {
  console.error('Set LATCHKEY_ELECTRON_DIST to an unpacked Electron folder or Electron zip (this machine cannot download one).');
  process.exit(2);
}
// Windows ships the guard's Win32 helper (electron-builder.yml, extraResources): compiled here, each time.
if (process.argv.includes('--win')) {
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build-native.mjs', import.meta.url))], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');
const result = spawnSync(
  process.execPath,
  [cli, '--projectDir', root, '--config', 'electron-builder.yml', `-c.electronDist=${dist}`, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
process.exit(result.status ?? 1);

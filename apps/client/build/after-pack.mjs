// electron-builder afterPack: flip the fuses on the packaged executable before it is signed and
// wrapped into the installer.
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';
import { lockFuses } from './fuses.mjs';

export default async function afterPack(context) {
  const ext = context.electronPlatformName === 'win32' ? '.exe' : '';
  const executable = join(context.appOutDir, `${context.packager.executableName}${ext}`);
  await flipFuses(executable, { version: FuseVersion.V1, resetAdHocDarwinSignature: false, ...lockFuses(FuseV1Options) });
}

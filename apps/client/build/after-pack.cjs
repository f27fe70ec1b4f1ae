// electron-builder afterPack: flip the fuses on the packaged executable before it is signed and
// wrapped into the installer.
'use strict';
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');
const { lockFuses } = require('./fuses.cjs');

exports.default = async function afterPack(context) {
  const ext = context.electronPlatformName === 'win32' ? '.exe' : '';
  const executable = path.join(context.appOutDir, `${context.packager.executableName}${ext}`);
  await flipFuses(executable, { version: FuseVersion.V1, resetAdHocDarwinSignature: false, ...lockFuses(FuseV1Options) });
};

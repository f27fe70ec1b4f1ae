// The Electron fuses of the packaged lock, flipped in the afterPack hook. Kept as data so a unit
// test can check them without an Electron binary.

/** @param {typeof import('@electron/fuses').FuseV1Options} FuseV1Options */
export function lockFuses(FuseV1Options) {
  return {
    // `Latchkey.exe` must never become a general Node runtime (ELECTRON_RUN_AS_NODE).
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS could preload code into main.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect would let anyone at the keyboard script the main process.
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // Load the app only from app.asar, not from a folder placed next to it.
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

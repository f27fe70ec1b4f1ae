import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

/**
 * Options of one lock window: it covers one display, stays above everything a user session can
 * put up ('screen-saver' level is applied after creation, see lock-windows.ts), cannot be moved,
 * resized, minimised or closed, and its page runs with the renderer locked down.
 */
export function lockWindowOptions(input: { bounds: Rectangle; preloadPath: string }): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    show: false,
    frame: false,
    kiosk: true,
    fullscreen: true,
    alwaysOnTop: true,
    skipTaskbar: true,
    movable: false,
    resizable: false,
    minimizable: false,
    maximizable: false,
    closable: false,
    focusable: true,
    fullscreenable: true,
    autoHideMenuBar: true,
    backgroundColor: '#14213d',
    title: 'Latchkey',
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
      safeDialogs: true,
      disableDialogs: true,
      autoplayPolicy: 'user-gesture-required',
    },
  };
}

/** The level that keeps the window above other always-on-top windows (task bar, notifications). */
export const LOCK_WINDOW_LEVEL = 'screen-saver' as const;

import { describe, expect, it } from 'vitest';
import { LOCK_WINDOW_LEVEL, lockWindowOptions } from '../../src/main/window-options.js';

describe('lock window options', () => {
  const options = lockWindowOptions({ bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, preloadPath: '/app/dist/preload/preload.cjs' });

  it('covers its display in kiosk full screen, on top, and cannot be closed, moved or minimised', () => {
    expect(options).toMatchObject({
      x: 1920,
      y: 0,
      width: 2560,
      height: 1440,
      kiosk: true,
      fullscreen: true,
      alwaysOnTop: true,
      frame: false,
    });
    expect(options).toMatchObject({
      closable: false,
      minimizable: false,
      maximizable: false,
      movable: false,
      resizable: false,
      skipTaskbar: true,
    });
    expect(LOCK_WINDOW_LEVEL).toBe('screen-saver');
  });

  it('runs the page isolated and sandboxed, without Node, devtools, webviews or dialogs', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      navigateOnDragDrop: false,
      disableDialogs: true,
    });
  });
});

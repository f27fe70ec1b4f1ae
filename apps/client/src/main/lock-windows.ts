import { BrowserWindow, screen, type Display, type WebContents } from 'electron';
import type { LockState } from '@latchkey/contracts';
import { LOCK_URL } from './renderer-files.js';
import { shouldSwallowKey } from './shortcut-policy.js';
import { LOCK_WINDOW_LEVEL, lockWindowOptions } from './window-options.js';
import { createWatchdog } from './watchdog.js';

/**
 * One kiosk window per display, displays added later included. Until `release()` the windows
 * refuse to close, minimise or leave full screen, swallow shortcuts, and take the focus back.
 */
export function createLockWindows(options: { preloadPath: string; onGiveUp: () => void; log: (line: string) => void }) {
  const windows = new Map<number, BrowserWindow>(); // display id → window
  let locked = true;
  let lastState: LockState | undefined;
  const watchdog = createWatchdog(() => Date.now());

  const anyLockFocused = () => [...windows.values()].some((w) => !w.isDestroyed() && w.isFocused());

  function pageDied(win: BrowserWindow, why: string) {
    if (!locked || win.isDestroyed()) return;
    options.log(`lock page died (${why})`);
    if (watchdog.crashed() === 'sign-out') options.onGiveUp();
    else win.webContents.reload();
  }

  function guard(win: BrowserWindow) {
    const contents: WebContents = win.webContents;
    win.setAlwaysOnTop(true, LOCK_WINDOW_LEVEL);
    win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    win.on('close', (event) => {
      if (locked) event.preventDefault();
    });
    win.on('minimize', () => locked && win.restore());
    win.on('leave-full-screen', () => locked && win.setFullScreen(true));
    win.on('blur', () => {
      if (!locked) return;
      setTimeout(() => {
        if (locked && !win.isDestroyed() && !anyLockFocused()) {
          win.setAlwaysOnTop(true, LOCK_WINDOW_LEVEL);
          win.focus();
        }
      }, 100);
    });
    contents.on('before-input-event', (event, input) => {
      if (locked && shouldSwallowKey(input)) event.preventDefault();
    });
    contents.on('render-process-gone', (_event, details) => pageDied(win, details.reason));
    contents.on('unresponsive', () => {
      contents.forcefullyCrashRenderer();
      pageDied(win, 'unresponsive');
    });
    contents.on('did-finish-load', () => {
      if (lastState) contents.send('lock:state-changed', lastState);
    });
  }

  function open(display: Display) {
    if (windows.has(display.id) || !locked) return;
    const win = new BrowserWindow(lockWindowOptions({ bounds: display.bounds, preloadPath: options.preloadPath }));
    windows.set(display.id, win);
    guard(win);
    win.once('ready-to-show', () => {
      win.show();
      win.setFullScreen(true);
      if (display.id === screen.getPrimaryDisplay().id) win.focus();
    });
    void win.loadURL(LOCK_URL);
  }

  function close(displayId: number) {
    const win = windows.get(displayId);
    windows.delete(displayId);
    if (win && !win.isDestroyed()) win.destroy();
  }

  return {
    showAll() {
      for (const display of screen.getAllDisplays()) open(display);
      screen.on('display-added', (_event, display) => open(display));
      screen.on('display-removed', (_event, display) => close(display.id));
      screen.on('display-metrics-changed', (_event, display) => {
        const win = windows.get(display.id);
        if (win && !win.isDestroyed()) win.setBounds(display.bounds);
      });
    },
    /** WebContents ids of the lock windows: the only senders IPC accepts. */
    ids(): ReadonlySet<number> {
      return new Set([...windows.values()].filter((w) => !w.isDestroyed()).map((w) => w.webContents.id));
    },
    broadcast(state: LockState) {
      lastState = state;
      for (const win of windows.values()) if (!win.isDestroyed()) win.webContents.send('lock:state-changed', state);
    },
    /** Unlocked: the windows go away (one stays hidden: Windows tells windows, not apps, about logoff). */
    release(): BrowserWindow | undefined {
      locked = false;
      const all = [...windows.entries()];
      const keep = all[0]?.[1];
      for (const [id, win] of all.slice(1)) {
        windows.delete(id);
        win.destroy();
      }
      if (keep && !keep.isDestroyed()) {
        keep.setKiosk(false);
        keep.setAlwaysOnTop(false);
        keep.setFullScreen(false);
        keep.hide();
      }
      return keep;
    },
    /**
     * Locked again (relock.ts): the kept window comes back full screen on its display and every other
     * display gets a new window, synchronously, before the controller or the network does anything.
     */
    relock() {
      locked = true;
      for (const [displayId, win] of [...windows.entries()]) {
        if (win.isDestroyed()) {
          windows.delete(displayId);
          continue;
        }
        const display = screen.getAllDisplays().find((d) => d.id === displayId);
        if (display) win.setBounds(display.bounds);
        win.setKiosk(true);
        win.setAlwaysOnTop(true, LOCK_WINDOW_LEVEL);
        win.setFullScreen(true);
        win.show();
        win.focus();
      }
      for (const display of screen.getAllDisplays()) open(display);
    },
  };
}

/** The part of Electron's `Input` (before-input-event) the policy looks at. */
export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  alt: boolean;
  control: boolean;
  meta: boolean;
  shift: boolean;
}

/** Keys a person needs to fill in the pop-ups, with or without Shift. */
const EDITING_KEYS = new Set([
  'Tab',
  'Enter',
  'Escape',
  'Backspace',
  'Delete',
  ' ',
  'Spacebar',
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Home',
  'End',
  'Shift',
  'Control',
  'CapsLock',
  'NumLock',
  'Dead',
  'Process',
  'Unidentified',
  'AltGraph',
]);

/** Ctrl+key combinations that only edit the focused field (select all, copy, paste, cut, undo, redo). */
const CONTROL_EDITING = new Set(['a', 'c', 'v', 'x', 'z', 'y']);

/**
 * Whether the lock window swallows a key. Allow-list: printable characters, the editing keys and
 * field editing with Ctrl; everything else (Alt+F4, Ctrl+W, Ctrl+R, F5, F11, F12, Ctrl+Shift+I,
 * Ctrl+P, Alt+Left, zoom-reset tricks, the Windows key) is dropped before Chromium acts on it.
 * Shortcuts the OS handles itself (Ctrl+Alt+Del, Win+L, Alt+Tab) never reach a window: see
 * docs/deployment.md for the policies that close those.
 */
export function shouldSwallowKey(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown' && input.type !== 'char') return false;
  if (input.meta) return true;
  // AltGr arrives as Ctrl+Alt on Windows and types characters such as @ on many layouts.
  const altGr = input.control && input.alt && input.key.length === 1;
  if (altGr) return false;
  if (input.alt) return true;
  if (input.control) {
    if (input.shift && input.key.toLowerCase() === 'z') return false; // redo
    return input.shift || !CONTROL_EDITING.has(input.key.toLowerCase());
  }
  if (EDITING_KEYS.has(input.key)) return false;
  if (input.key === 'Alt' || input.key === 'Meta' || input.key === 'OS') return true;
  // One printable character (any script); named keys such as F1-F24, BrowserBack, ContextMenu are swallowed.
  return [...input.key].length !== 1;
}

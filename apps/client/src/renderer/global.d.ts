import type { LatchkeyApi } from '../preload/bridge.js';

declare global {
  interface Window {
    /** Present in the Electron lock window (the preload's contextBridge); absent in a browser. */
    readonly latchkey?: LatchkeyApi;
  }
}
export {};

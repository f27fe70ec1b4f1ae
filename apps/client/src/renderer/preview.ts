import './styles.css';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { LockController, fetchWithTimeout, type RequestStore, type SavedRequest } from '../lock/lock-controller.js';
import { buildBridge } from '../preload/bridge.js';
import type { LockState } from '@latchkey/contracts';
import { mountLockView } from './lock-view.js';
import { ActivityRecorder } from '../lock/activity-recorder.js';
import { localStorageOutbox, mountActivityControls } from './preview-activity.js';

/**
 * The preview (server with LATCHKEY_DEMO=1): the same controller as Electron's main, running in the
 * page as a demo Client, behind the same bridge object the preload would expose.
 */
interface PreviewSession {
  clientToken: string;
  osUser: string;
  computerName: string;
}

function sessionStore(key: string): RequestStore {
  return {
    load() {
      try {
        const raw = sessionStorage.getItem(key);
        return raw ? (JSON.parse(raw) as SavedRequest) : undefined;
      } catch {
        return undefined;
      }
    },
    save(value) {
      if (value) sessionStorage.setItem(key, JSON.stringify(value));
      else sessionStorage.removeItem(key);
    },
  };
}

async function start(root: HTMLElement): Promise<void> {
  const query = new URLSearchParams(location.search);
  const res = await fetch(`/preview/lock/session?${query.toString()}`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const session = (await res.json()) as PreviewSession;

  const activity = new ActivityRecorder({
    baseUrl: '',
    fetch: fetchWithTimeout(window.fetch.bind(window)),
    clientToken: () => session.clientToken,
    store: localStorageOutbox(`latchkey-preview-activity:${session.computerName}:${session.osUser}`),
    batchDelayMs: 5_000,
  });
  const activityControls = mountActivityControls(activity);
  const controller = new LockController({
    baseUrl: '',
    fetch: fetchWithTimeout(window.fetch.bind(window)),
    clientToken: () => session.clientToken,
    osUser: session.osUser,
    computerName: session.computerName,
    store: sessionStore(`latchkey-preview:${session.computerName}:${session.osUser}`),
    heartbeatIntervalMs: 60_000,
    onSignOut: () => undefined,
    onUnlocked: (unlocked) => {
      activity.begin(unlocked.sessionId, unlocked.via);
      activityControls.show();
    },
  });
  const listeners = new Set<(state: LockState) => void>();
  controller.subscribe((state) => {
    for (const listener of listeners) listener(state);
  });
  const handlers = createLockHandlers(controller);
  const api = buildBridge(
    (channel, payload) => (handlers[channel] as (p: typeof payload) => Promise<never>)(payload),
    (_channel, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  );
  window.addEventListener('pagehide', () => {
    activity.record('ended');
    void controller.endSession();
  });
  mountLockView(root, api);
  await controller.start();
}

const root = document.getElementById('app');
if (root) {
  start(root).catch(() => {
    root.textContent = 'The lock preview could not start: the Latchkey server did not answer. Reload the page to try again.';
  });
}

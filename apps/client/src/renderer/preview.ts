import './styles.css';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { LockController, fetchWithTimeout, type RequestStore, type SavedRequest } from '../lock/lock-controller.js';
import { buildBridge } from '../preload/bridge.js';
import { isOfflineKey, type HmacSha256, type LockState, type OfflineKey } from '@latchkey/contracts';
import { OfflineUnlock, type OfflineKeyStore, type OfflineSlot } from '../lock/offline-unlock.js';
import { mountLockView } from './lock-view.js';

/**
 * The preview (server with LATCHKEY_DEMO=1): the same controller as Electron's main, running in the
 * page as a demo Client, behind the same bridge object the preload would expose.
 */
interface PreviewSession {
  clientToken: string;
  offlineKey: OfflineKey;
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

const webHmac: HmacSha256 = async (key, message) => {
  const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(message)));
};

/** The preview keeps the demo Client's offline key and both state copies in localStorage (a demo has no OS key store). */
function localSlot(key: string): OfflineSlot {
  return { read: () => localStorage.getItem(key) ?? undefined, write: (text) => localStorage.setItem(key, text) };
}
function localKeyStore(key: string): OfflineKeyStore {
  return {
    load() {
      try {
        const value: unknown = JSON.parse(localStorage.getItem(key) ?? 'null');
        return isOfflineKey(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    save(value) {
      localStorage.setItem(key, JSON.stringify(value));
      return true;
    },
  };
}

async function start(root: HTMLElement): Promise<void> {
  const query = new URLSearchParams(location.search);
  const res = await fetch(`/preview/lock/session?${query.toString()}`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const session = (await res.json()) as PreviewSession;

  const prefix = `latchkey-preview-offline:${session.computerName}:${session.osUser}`;
  const offline = new OfflineUnlock({
    osUser: session.osUser,
    keys: localKeyStore(`${prefix}:key`),
    slots: [localSlot(`${prefix}:state`), localSlot(`${prefix}:mirror`)],
    hmac: webHmac,
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    now: () => Date.now(),
  });
  await offline.load();
  await offline.acceptKey(session.offlineKey);

  const controller = new LockController({
    offline,
    baseUrl: '',
    fetch: fetchWithTimeout(window.fetch.bind(window)),
    clientToken: () => session.clientToken,
    osUser: session.osUser,
    computerName: session.computerName,
    store: sessionStore(`latchkey-preview:${session.computerName}:${session.osUser}`),
    heartbeatIntervalMs: 60_000,
    onSignOut: () => undefined,
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
  window.addEventListener('pagehide', () => void controller.endSession());
  mountLockView(root, api);
  await controller.start();
}

const root = document.getElementById('app');
if (root) {
  start(root).catch(() => {
    root.textContent = 'The lock preview could not start: the Latchkey server did not answer. Reload the page to try again.';
  });
}

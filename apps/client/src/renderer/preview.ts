import './styles.css';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { LockController, fetchWithTimeout, type RequestStore, type SavedRequest } from '../lock/lock-controller.js';
import { buildBridge } from '../preload/bridge.js';
import type { LockState } from '@latchkey/contracts';
import { mountLockView } from './lock-view.js';
import { createVerdictHook, type Ed25519Verify } from '../lock/verdict.js';

/** Ed25519 through WebCrypto (Chromium has it), the preview's half of the shared verdict check. */
const webCryptoVerify: Ed25519Verify = async (publicKey, message, signature) => {
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource);
};

/**
 * The preview (server with LATCHKEY_DEMO=1): the same controller as Electron's main, running in the
 * page as a demo Client, behind the same bridge object the preload would expose.
 */
interface PreviewSession {
  clientToken: string;
  clientId: string;
  serverPublicKey: string;
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

  const controller = new LockController({
    baseUrl: '',
    fetch: fetchWithTimeout(window.fetch.bind(window)),
    clientToken: () => session.clientToken,
    osUser: session.osUser,
    computerName: session.computerName,
    store: sessionStore(`latchkey-preview:${session.computerName}:${session.osUser}`),
    heartbeatIntervalMs: 60_000,
    onSignOut: () => undefined,
    verdicts: createVerdictHook({
      identity: () => ({ clientId: session.clientId, serverPublicKey: session.serverPublicKey }),
      verify: webCryptoVerify,
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      now: Date.now,
    }),
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

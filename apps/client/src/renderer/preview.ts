import './styles.css';
import { createLockHandlers } from '../lock/ipc-handlers.js';
import { LockController, fetchWithTimeout, type RequestStore, type SavedRequest } from '../lock/lock-controller.js';
import { createRelockGate, type RelockDecision, type SessionEvent } from '../lock/relock.js';
import { buildBridge } from '../preload/bridge.js';
import { createApiClient, demoRoutes, isOfflineKey, type HmacSha256, type LockState } from '@latchkey/contracts';
import { OfflineUnlock, type OfflineKeyStore, type OfflineSlot } from '../lock/offline-unlock.js';
import { mountLockView } from './lock-view.js';
import { wordsFor } from '../lock/messages.js';
import { createVerdictHook, type Ed25519Verify } from '../lock/verdict.js';

/** Ed25519 through WebCrypto (Chromium has it), the preview's half of the shared verdict check. */
const webCryptoVerify: Ed25519Verify = async (publicKey, message, signature) => {
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource);
};
import { ActivityRecorder, activityOfSessionEvent } from '../lock/activity-recorder.js';
import { localStorageOutbox, mountActivityControls } from './preview-activity.js';

/**
 * The preview (server with LATCHKEY_DEMO=1): the same controller as Electron's main, running in the
 * page as a demo Client, behind the same bridge object the preload would expose.
 */
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

const SIMULATIONS: [SessionEvent, string][] = [
  ['windows-unlock', 'Simulate Windows unlock'],
  ['reconnect', 'Simulate remote reconnect'],
  ['resume', 'Simulate resume from sleep'],
];

const OUTCOME: Record<Exclude<RelockDecision, { relock: true }>['reason'], string> = {
  locked: 'the lock is already showing',
  not_asked: 'asking again is turned off',
  grace: 'within the grace minutes of the last unlock',
};

/** Outside the lock card: the session events Electron main hears, driving the same gate. */
function mountSimulations(onEvent: (event: SessionEvent) => RelockDecision): void {
  const aside = document.createElement('aside');
  aside.className = 'preview-controls';
  aside.setAttribute('aria-label', 'Preview: session events');
  const said = document.createElement('p');
  said.setAttribute('role', 'status');
  for (const [event, label] of SIMULATIONS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', () => {
      const decision = onEvent(event);
      said.textContent = decision.relock ? `${label}: locked again.` : `${label}: not locked again (${OUTCOME[decision.reason]}).`;
    });
    aside.append(button);
  }
  aside.append(said);
  document.body.prepend(aside);
}

async function start(root: HTMLElement): Promise<void> {
  const query = new URLSearchParams(location.search);
  const demo = createApiClient({ baseUrl: '', fetch: fetchWithTimeout(window.fetch.bind(window)) });
  const session = await demo(demoRoutes.previewSession, {
    query: { computer: query.get('computer') ?? undefined, user: query.get('user') ?? undefined },
  });

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

  const activity = new ActivityRecorder({
    baseUrl: '',
    fetch: fetchWithTimeout(window.fetch.bind(window)),
    clientToken: () => session.clientToken,
    store: localStorageOutbox(`latchkey-preview-activity:${session.computerName}:${session.osUser}`),
    batchDelayMs: 5_000,
  });
  const activityControls = mountActivityControls(activity);
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
    // The preview's stand-in for Windows' display language: `&lang=de` (else the browser's).
    locale: query.get('lang') ?? navigator.language,
    // The preview is a lock without a guard: it asks whether this logon must unlock (`&logon=remote`).
    lockDecision: { logonKind: () => (query.get('logon') === 'remote' ? 'remote' : 'local') },
    verdicts: createVerdictHook({
      identity: () => ({ clientId: session.clientId, serverPublicKey: session.serverPublicKey }),
      verify: webCryptoVerify,
      randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
      now: Date.now,
    }),
    onUnlocked: (unlocked) => {
      if (unlocked.sessionId && unlocked.via !== 'exempt') activity.begin(unlocked.sessionId, unlocked.via);
    },
    onSessionRecorded: (recorded, unlockedAt) => recorded.via !== 'exempt' && activity.begin(recorded.sessionId, recorded.via, unlockedAt),
  });
  const listeners = new Set<(state: LockState) => void>();
  controller.subscribe((state) => {
    for (const listener of listeners) listener(state);
    activityControls.setVisible(state.phase === 'unlocked');
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
  // The page is the one display: the lock view covers it as soon as the controller's state changes.
  const gate = createRelockGate({ controller, cover: () => undefined, now: () => Date.now() });
  // Each simulated OS event is recorded in the session's activity too, before the gate decides.
  mountSimulations((event) => {
    activity.record(activityOfSessionEvent(event));
    return gate.onSessionEvent(event);
  });
  mountLockView(root, api);
  await controller.start();
}

const root = document.getElementById('app');
if (root) {
  start(root).catch(() => {
    root.textContent = wordsFor(new URLSearchParams(location.search).get('lang') ?? navigator.language).t('page.previewFailed');
  });
}

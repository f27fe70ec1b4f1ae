import { afterEach, beforeEach } from 'vitest';
import { LockController, fetchWithTimeout, type LockControllerOptions, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { ManualTimers } from './manual-timers.js';
import { startServer, type LiveServer } from './server.js';

export const OS_USER = 'CORP\\alice';

/**
 * `current()` stands for what `create` made for the running test, so a file can keep one
 * module-level name (`server`, `timers`) while every test gets a fresh one.
 */
function perTest<T extends object>(create: () => T | Promise<T>, dispose?: (value: T) => Promise<void>): T {
  let current: T | undefined;
  beforeEach(async () => {
    current = await create();
  });
  // The last one stays reachable after its test: a timer or poll left running talks to a stopped
  // server, as it would have through a plain variable, instead of throwing here.
  afterEach(async () => {
    if (current && dispose) await dispose(current);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (key === 'then') return undefined;
      if (!current) throw new Error('only inside a test');
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}

/** The real server (in process, on loopback) and hand-moved timers, new for each test of the file. */
/** `env`: extra server environment for every test of the file (e.g. UNREACHABLE_DIRECTORY_ENV). */
export function useLockTestbed(env: Record<string, string> = {}): { server: LiveServer; timers: ManualTimers } {
  return {
    server: perTest(
      () => startServer(env),
      (server) => server.stop(),
    ),
    timers: perTest(() => new ManualTimers()),
  };
}

export interface ControllerForOptions {
  computerName?: string;
  /** Read per call, so a test can move the "network" under the controller. */
  baseUrl?: () => string;
  /** Anything else of the controller's options. */
  overrides?: Partial<LockControllerOptions>;
}

/**
 * A lock controller for a newly enrolled Client of `server`: 5 s timeouts, no jitter, 3 s polls,
 * the server's signed verdicts checked; `unlocked` collects every unlock. Not started.
 */
export async function controllerFor(server: LiveServer, timers: ManualTimers, options: ControllerForOptions = {}) {
  const token = await server.enroll(options.computerName);
  const unlocked: UnlockedSession[] = [];
  const controller = new LockController({
    baseUrl: '',
    fetch: (url, init) => fetchWithTimeout(fetch, 5_000)((options.baseUrl?.() ?? server.baseUrl) + url, init),
    clientToken: () => token,
    verdicts: server.verdictsFor(token),
    osUser: OS_USER,
    timers,
    random: () => 0.5,
    pollIntervalMs: 3_000,
    onUnlocked: (session) => unlocked.push(session),
    ...options.overrides,
  });
  return { controller, unlocked, token };
}

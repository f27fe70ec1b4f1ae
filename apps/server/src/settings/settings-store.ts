import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '@latchkey/contracts';
import { isRefusal, type Refusal } from '../refusal.js';
import { READ_COMMITTED, all, notify, run, sql, type Engine, type Work } from '../db/engine.js';
import type { AuditStore } from '../audit/audit-log.js';
import { describeSettingsChange } from './settings-words.js';

/** Told when the settings changed on any node: each node reads them again. */
export const SETTINGS_CHANNEL = 'latchkey_settings';

const selectAll = sql<[], { key: string; value: string }>('SELECT key, value FROM settings');
const upsert = sql<[string, string]>(
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
// A row that `load` ignores: rewriting it is the smallest real write there is (readiness), no table of its own needed.
const PROBE_KEY = 'health.probe';

/** The one writer of `settings`: System Settings as JSON values by name, and the readiness probe's row. */
export function settingsStore() {
  return {
    *load(): Work<Readonly<Settings>> {
      const settings: Settings = { ...DEFAULT_SETTINGS };
      for (const row of yield* all(selectAll)) {
        if (row.key in settings) (settings as Record<string, unknown>)[row.key] = JSON.parse(row.value);
      }
      return Object.freeze(settings);
    },
    *save(patch: SettingsPatch): Work<void> {
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined && key in DEFAULT_SETTINGS) yield* run(upsert, key, JSON.stringify(value));
      }
      yield* notify(SETTINGS_CHANNEL, '');
    },
    /** The readiness probe: a real write. */
    *probe(now: number): Work<void> {
      yield* run(upsert, PROBE_KEY, String(now));
    },
  };
}

export type SettingsService = Awaited<ReturnType<typeof createSettings>>;

/**
 * System Settings, defaults filling whatever was never saved. They are read on every request's hot
 * path, so the committed values are kept in memory: read again after each change made here, and when
 * another node says it changed them (LISTEN/NOTIFY; on SQLite the one process is every node).
 */
export async function createSettings(engine: Engine, audit: AuditStore) {
  const store = settingsStore();
  let current = await engine.read(() => store.load());
  const reload = async () => {
    current = await engine.read(() => store.load());
  };
  const listening = await engine.listen(
    SETTINGS_CHANNEL,
    () => void reload().catch(() => {}),
    // After a reconnect: a change made meanwhile was not heard.
    () => void reload().catch(() => {}),
  );

  return {
    get: (): Readonly<Settings> => current,
    /** Saves `patch`, audited as `actor`'s change; refused when the result would be a combination no rule allows. */
    async update(patch: SettingsPatch, actor: string): Promise<Readonly<Settings> | Refusal> {
      const saved = await engine.write(function* (): Work<Readonly<Settings> | Refusal> {
        const before = yield* store.load();
        const merged = { ...before, ...patch };
        if (!merged.lockLocalLogons && !merged.lockRemoteLogons) return { refused: 'settings_lock_nothing' };
        yield* store.save(patch);
        const after = yield* store.load();
        yield* audit.record({ type: 'settings.changed', actor, detail: describeSettingsChange(before, after) });
        return after;
      });
      if (!isRefusal(saved)) current = saved;
      return saved;
    },
    /** A real write (readiness). */
    probe: (now: number): Promise<void> => engine.write(() => store.probe(now), READ_COMMITTED),
    close: () => listening.unlisten(),
  };
}

/** What rules read: the current settings. */
export type SettingsStore = Pick<SettingsService, 'get'>;

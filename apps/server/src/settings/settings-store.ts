import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '@latchkey/contracts';
import type { Db } from '../db/database.js';
import { AppError } from '../app-error.js';

export type SettingsStore = ReturnType<typeof createSettingsStore>;

/**
 * System Settings, stored as JSON values by name; defaults fill whatever was never saved. They are
 * read on every request's hot path and change only through `update` in this process, so the
 * committed values are kept in memory and re-read after each update.
 */
export function createSettingsStore(db: Db) {
  const selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  function read(): Readonly<Settings> {
    const settings: Settings = { ...DEFAULT_SETTINGS };
    for (const row of selectAll.all()) {
      if (row.key in settings) (settings as Record<string, unknown>)[row.key] = JSON.parse(row.value);
    }
    return Object.freeze(settings);
  }
  let current = read();

  const update = db.transaction((patch: SettingsPatch): void => {
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined && key in DEFAULT_SETTINGS) upsert.run(key, JSON.stringify(value));
    }
  });

  return {
    get: (): Readonly<Settings> => current,
    /** Saves `patch`; 400 invalid_request when the result would be a combination no rule allows. */
    update(patch: SettingsPatch): Readonly<Settings> {
      const merged = { ...current, ...patch };
      if (!merged.lockLocalLogons && !merged.lockRemoteLogons) {
        throw new AppError(
          400,
          'invalid_request',
          'Lock local logons and Lock remote logons cannot both be off: Latchkey would protect nothing. To leave computers unlocked, turn off "Allow the use of one-time passwords" for them instead.',
        );
      }
      update.immediate(patch);
      current = read();
      return current;
    },
  };
}

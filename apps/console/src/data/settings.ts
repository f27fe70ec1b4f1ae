import { routes, type Settings, type SettingsPatch } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync } from './use-async';

/** The system settings, loaded once. */
export function useSettings() {
  return useAsync((signal) => api(routes.getSettings, {}, signal), []);
}

/** Saves the settings; answers them as the server now holds them. */
export function saveSettings(patch: SettingsPatch): Promise<Settings> {
  return api(routes.putSettings, { body: patch });
}

/** The server's verdict-signing key (read-only), loaded once. */
export function useServerKey() {
  return useAsync((signal) => api(routes.getServerKey, {}, signal), []);
}

import { DEFAULT_SETTINGS, type Settings } from './admin.js';
import { POLICY_SETTINGS, type ClientPolicy, type OfflineKey } from './client.js';

/** This Client's offline key as the server holds it: version 0 before it has one. */
export interface PolicyOfflineKey {
  offlineKeyVersion: number;
  offlineKey?: OfflineKey;
}

/**
 * What a Client learns of the settings: the one mapping, used by the server's policy route and for
 * the policy a Client starts with before it has reached the server. A new setting the Client needs
 * is added here once.
 */
export function policyFromSettings(
  settings: Settings,
  allowOneTimePasswords: boolean,
  offline: PolicyOfflineKey = { offlineKeyVersion: 0 },
): ClientPolicy {
  const picked = Object.fromEntries(POLICY_SETTINGS.map((key) => [key, settings[key]])) as Pick<Settings, (typeof POLICY_SETTINGS)[number]>;
  return {
    ...picked,
    allowOneTimePasswords,
    offlineKeyVersion: offline.offlineKeyVersion,
    ...(offline.offlineKey ? { offlineKey: offline.offlineKey } : {}),
  };
}

/** The policy before the first answer from the server: the shipped defaults. */
export const DEFAULT_POLICY: ClientPolicy = policyFromSettings(DEFAULT_SETTINGS, DEFAULT_SETTINGS.defaultAllowOneTimePasswords);

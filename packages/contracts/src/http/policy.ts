import { DEFAULT_SETTINGS, type Settings } from './admin.js';
import type { ClientPolicy, OfflineKey } from './client.js';

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
  return {
    allowOneTimePasswords,
    autoSendToDirectoryUsers: settings.autoSendToDirectoryUsers,
    autoSendToInternalUsers: settings.autoSendToInternalUsers,
    accessRequestExpirationMinutes: settings.accessRequestExpirationMinutes,
    otpRequestIntervalMinutes: settings.otpRequestIntervalMinutes,
    otpLength: settings.otpLength,
    // issue 9 (the lock holds): ask again when the session comes back
    askAgainOnUnlock: settings.askAgainOnUnlock,
    unlockGraceMinutes: settings.unlockGraceMinutes,
    // offline unlock (issue 12)
    allowOfflineUnlock: settings.allowOfflineUnlock,
    offlineKeyVersion: offline.offlineKeyVersion,
    ...(offline.offlineKey ? { offlineKey: offline.offlineKey } : {}),
  };
}

/** The policy before the first answer from the server: the shipped defaults. */
export const DEFAULT_POLICY: ClientPolicy = policyFromSettings(DEFAULT_SETTINGS, DEFAULT_SETTINGS.defaultAllowOneTimePasswords);

import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { ADMIN_ONLY, adminErrors } from './shared.js';

// ---- settings ------------------------------------------------------------------------------

export const SETTINGS_LIMITS = {
  accessRequestExpirationMinutes: { minimum: 1, maximum: 1440 },
  otpRequestIntervalMinutes: { minimum: 0, maximum: 1440 },
  otpLength: { minimum: 6, maximum: 10 },
  maxVerifyAttempts: { minimum: 1, maximum: 10 },
  // issue 9 (the lock holds): ask again when the session comes back
  unlockGraceMinutes: { minimum: 0, maximum: 480 },
} as const;

/** A mail domain as it follows the `@` (`corp.example.com`); matched exactly, case-insensitive. */
export const EmailDomainSchema = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$',
});

const settingsProperties = {
  accessRequestExpirationMinutes: Type.Integer(SETTINGS_LIMITS.accessRequestExpirationMinutes),
  otpRequestIntervalMinutes: Type.Integer(SETTINGS_LIMITS.otpRequestIntervalMinutes),
  otpLength: Type.Integer(SETTINGS_LIMITS.otpLength),
  maxVerifyAttempts: Type.Integer(SETTINGS_LIMITS.maxVerifyAttempts),
  autoSendToDirectoryUsers: Type.Boolean(),
  autoSendToInternalUsers: Type.Boolean(),
  defaultAllowOneTimePasswords: Type.Boolean(),
  // offline unlock (issue 12)
  allowOfflineUnlock: Type.Boolean(),
  // issue 9 (the lock holds): ask again when the session comes back
  askAgainOnUnlock: Type.Boolean(),
  unlockGraceMinutes: Type.Integer(SETTINGS_LIMITS.unlockGraceMinutes),
  // v1.1 abuse rules: email and emergency requests and Generate Password only to these domains ([]: any).
  allowedEmailDomains: Type.Array(EmailDomainSchema, { maxItems: 100, uniqueItems: true }),
};

export const SettingsSchema = Type.Object(settingsProperties, { additionalProperties: false });
export type Settings = Static<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  accessRequestExpirationMinutes: 30,
  otpRequestIntervalMinutes: 60,
  otpLength: 8,
  maxVerifyAttempts: 5,
  autoSendToDirectoryUsers: false,
  autoSendToInternalUsers: false,
  defaultAllowOneTimePasswords: true,
  // offline unlock (issue 12)
  allowOfflineUnlock: true,
  // issue 9 (the lock holds): ask again when the session comes back
  askAgainOnUnlock: true,
  unlockGraceMinutes: 0,
  // v1.1 abuse rules
  allowedEmailDomains: [],
};

export const SettingsPatchSchema = Type.Partial(SettingsSchema, { additionalProperties: false });
export type SettingsPatch = Static<typeof SettingsPatchSchema>;

export const getSettings = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/settings',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { response: { 200: SettingsSchema, ...adminErrors } },
});

export const putSettings = defineRoute({
  method: 'PUT',
  url: '/api/v1/admin/settings',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { body: SettingsPatchSchema, response: { 200: SettingsSchema, ...adminErrors } },
});

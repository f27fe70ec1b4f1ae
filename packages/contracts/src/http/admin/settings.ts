import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { defineRoute } from '../route.js';
import { SafeMultilineTextSchema, SafeNameSchema, SafeTextSchema } from '../common.js';
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

/** v1.2 "Who must unlock, and when": lengths of the company's words and of the exemption lists. */
export const SCOPE_LIMITS = {
  helpdeskContact: { maxLength: 200 },
  lockTitle: { maxLength: 80 },
  lockMessage: { maxLength: 500 },
  exemptAccounts: { maxItems: 200 },
  exemptDirectoryGroups: { maxItems: 50 },
} as const;

/**
 * An exempt account: `DOMAIN\name` (that domain), `name` (any domain) or `.\name` (a local account
 * of the computer: the only form honoured when no server answers).
 */
export const ExemptAccountSchema = SafeNameSchema({
  minLength: 1,
  maxLength: 256,
  pattern: '^(([.]|[^\\\\/@]{1,64})\\\\)?[^\\\\/@]{1,104}$',
});

/** A directory group: its DN (`CN=Break Glass,OU=Groups,DC=corp,DC=example`) or its name (`Break Glass`). */
export const ExemptDirectoryGroupSchema = SafeTextSchema({ minLength: 1, maxLength: 512 });

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
  // v1.2 who must unlock, and when
  lockLocalLogons: Type.Boolean(),
  lockRemoteLogons: Type.Boolean(),
  exemptAccounts: Type.Array(ExemptAccountSchema, { ...SCOPE_LIMITS.exemptAccounts, uniqueItems: true }),
  exemptDirectoryGroups: Type.Array(ExemptDirectoryGroupSchema, { ...SCOPE_LIMITS.exemptDirectoryGroups, uniqueItems: true }),
  relockSendsToSessionEmail: Type.Boolean(),
  /** Shown on the lock and at the end of every mail ("Helpdesk: +49 30 1234-567, it@example.com"). */
  helpdeskContact: SafeTextSchema(SCOPE_LIMITS.helpdeskContact),
  /** Replaces the lock's heading ('' keeps the built-in one, in the user's language). */
  lockTitle: SafeTextSchema(SCOPE_LIMITS.lockTitle),
  /** Replaces the lock's first sentence ('' keeps the built-in one). */
  lockMessage: SafeMultilineTextSchema(SCOPE_LIMITS.lockMessage),
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
  // v1.2 who must unlock, and when
  lockLocalLogons: true,
  lockRemoteLogons: true,
  exemptAccounts: [],
  exemptDirectoryGroups: [],
  relockSendsToSessionEmail: true,
  helpdeskContact: '',
  lockTitle: '',
  lockMessage: '',
};

/** One setting's value against its own schema: the console's form checks with this, so no limit or pattern is typed twice. */
export function isValidSetting<K extends keyof Settings>(key: K, value: Settings[K]): boolean {
  return Value.Check(SettingsSchema.properties[key], value);
}
export const isExemptAccount = (value: string): boolean => Value.Check(ExemptAccountSchema, value);
export const isExemptDirectoryGroup = (value: string): boolean => Value.Check(ExemptDirectoryGroupSchema, value);

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

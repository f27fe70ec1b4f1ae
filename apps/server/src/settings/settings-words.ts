import type { Settings } from '@latchkey/contracts';

/** What each setting is called in the audit log (the console's words, shortened). */
const NAMES: { readonly [K in keyof Settings]: string } = {
  accessRequestExpirationMinutes: 'Access request expiration (minutes)',
  otpRequestIntervalMinutes: 'Interval between new one-time passwords (minutes)',
  otpLength: 'One-time password length',
  maxVerifyAttempts: 'Wrong codes before a one-time password is burnt',
  autoSendToDirectoryUsers: 'Automatically send one-time passwords to Active Directory users',
  autoSendToInternalUsers: 'Automatically send one-time passwords to internal users',
  defaultAllowOneTimePasswords: 'Allow the use of one-time passwords on newly enrolled computers',
  allowOfflineUnlock: 'Allow offline unlock with the helpdesk',
  askAgainOnUnlock: 'Ask again when a session comes back',
  unlockGraceMinutes: 'Grace before asking again (minutes)',
  allowedEmailDomains: 'Allowed email domains',
  lockLocalLogons: 'Lock local logons',
  lockRemoteLogons: 'Lock remote (RDP) logons',
  exemptAccounts: 'Exempt accounts',
  exemptDirectoryGroups: 'Exempt directory groups',
  relockSendsToSessionEmail: "Re-lock mails the new one-time password to the session's email",
  helpdeskContact: 'Helpdesk contact',
  lockTitle: 'Lock title',
  lockMessage: 'Lock message',
};

function value(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string') return v === '' ? '(empty)' : JSON.stringify(v);
  return String(v);
}

function listChange(before: readonly string[], after: readonly string[]): string {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  const parts = [
    added.length > 0 ? `added ${added.map(value).join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.map(value).join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'reordered';
}

/**
 * A settings change in words for the audit log: `Lock local logons: on → off; Exempt accounts:
 * added ".\\breakglass"`. Only what changed; 'no change' when nothing did.
 */
export function describeSettingsChange(before: Readonly<Settings>, after: Readonly<Settings>): string {
  const changes: string[] = [];
  for (const key of Object.keys(NAMES) as (keyof Settings)[]) {
    const [was, is] = [before[key], after[key]];
    if (Array.isArray(was) && Array.isArray(is)) {
      if (was.length !== is.length || was.some((x, i) => x !== is[i])) changes.push(`${NAMES[key]}: ${listChange(was, is)}`);
    } else if (was !== is) {
      changes.push(`${NAMES[key]}: ${value(was)} → ${value(is)}`);
    }
  }
  return changes.join('; ') || 'no change';
}

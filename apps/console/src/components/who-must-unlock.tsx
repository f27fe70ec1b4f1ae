import {
  SCOPE_LIMITS,
  isExemptAccount,
  isExemptDirectoryGroup,
  isValidSetting,
  type Settings,
  type SettingsPatch,
} from '@latchkey/contracts';
import { CheckField, Field, described } from './field';

/**
 * "Who must unlock, and when" (issue 21): the Settings page's fieldset for the logon kinds, the
 * exemptions, the re-lock mail and the company's words on the lock. Every check comes from the
 * contract's schemas (isValidSetting, isExemptAccount, …), never a pattern typed here.
 */
export type ScopeDraft = {
  lockLocalLogons: boolean;
  lockRemoteLogons: boolean;
  relockSendsToSessionEmail: boolean;
  exemptAccounts: string;
  exemptDirectoryGroups: string;
  helpdeskContact: string;
  lockTitle: string;
  lockMessage: string;
};
type TextKey = 'exemptAccounts' | 'exemptDirectoryGroups' | 'helpdeskContact' | 'lockTitle' | 'lockMessage';
export type ScopeErrors = Partial<Record<TextKey | 'lockRemoteLogons', string>>;
export const SCOPE_FIELD_ORDER = [
  'lockRemoteLogons',
  'exemptAccounts',
  'exemptDirectoryGroups',
  'helpdeskContact',
  'lockTitle',
  'lockMessage',
] as const;

export function scopeDraft(s: Settings): ScopeDraft {
  return {
    lockLocalLogons: s.lockLocalLogons,
    lockRemoteLogons: s.lockRemoteLogons,
    relockSendsToSessionEmail: s.relockSendsToSessionEmail,
    exemptAccounts: s.exemptAccounts.join('\n'),
    exemptDirectoryGroups: s.exemptDirectoryGroups.join('\n'),
    helpdeskContact: s.helpdeskContact,
    lockTitle: s.lockTitle,
    lockMessage: s.lockMessage,
  };
}

/** One entry a line (a group's DN has commas, so only lines separate); blanks and repeats dropped. */
function lines(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !seen.has(line.toLowerCase()) && seen.add(line.toLowerCase()));
}

export function validateScope(draft: ScopeDraft): { errors: ScopeErrors; patch?: SettingsPatch } {
  const errors: ScopeErrors = {};
  if (!draft.lockLocalLogons && !draft.lockRemoteLogons) {
    errors.lockRemoteLogons = 'Lock local logons, remote logons or both: with neither, Latchkey would protect nothing.';
  }
  const accounts = lines(draft.exemptAccounts);
  const badAccount = accounts.find((a) => !isExemptAccount(a));
  if (badAccount !== undefined) errors.exemptAccounts = `"${badAccount}" is not DOMAIN\\name, name or .\\name.`;
  else if (!isValidSetting('exemptAccounts', accounts)) errors.exemptAccounts = `At most ${SCOPE_LIMITS.exemptAccounts.maxItems} accounts.`;
  const groups = lines(draft.exemptDirectoryGroups);
  const badGroup = groups.find((g) => !isExemptDirectoryGroup(g));
  if (badGroup !== undefined) errors.exemptDirectoryGroups = `"${badGroup}" is not a group name or DN (at most 512 characters).`;
  else if (!isValidSetting('exemptDirectoryGroups', groups))
    errors.exemptDirectoryGroups = `At most ${SCOPE_LIMITS.exemptDirectoryGroups.maxItems} groups.`;
  for (const key of ['helpdeskContact', 'lockTitle', 'lockMessage'] as const) {
    if (!isValidSetting(key, draft[key].trim()))
      errors[key] = `At most ${SCOPE_LIMITS[key].maxLength} characters, without control or invisible characters.`;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    patch: {
      lockLocalLogons: draft.lockLocalLogons,
      lockRemoteLogons: draft.lockRemoteLogons,
      relockSendsToSessionEmail: draft.relockSendsToSessionEmail,
      exemptAccounts: accounts,
      exemptDirectoryGroups: groups,
      helpdeskContact: draft.helpdeskContact.trim(),
      lockTitle: draft.lockTitle.trim(),
      lockMessage: draft.lockMessage.trim(),
    },
  };
}

const CHECKS: { key: 'lockLocalLogons' | 'lockRemoteLogons' | 'relockSendsToSessionEmail'; label: string; hint: string }[] = [
  {
    key: 'lockLocalLogons',
    label: 'Lock local logons',
    hint: 'Ask for a one-time password when someone signs in at the computer itself (keyboard and screen).',
  },
  {
    key: 'lockRemoteLogons',
    label: 'Lock remote logons (Remote Desktop)',
    hint: 'Ask for a one-time password when someone signs in over Remote Desktop. With only this on, Latchkey protects RDP and leaves the console alone. At least one of the two must be on.',
  },
  {
    key: 'relockSendsToSessionEmail',
    label: 'After a re-lock, mail the new one-time password at once to the email the session was unlocked with',
    hint: 'No approval needed, once per re-lock: the person already proved that mailbox on this computer. A different email still waits for approval.',
  },
];

const TEXTS: { key: TextKey; label: string; hint: string; rows?: number }[] = [
  {
    key: 'exemptAccounts',
    label: 'Exempt accounts — never locked (one per line: DOMAIN\\name, name, or .\\name for a local account)',
    hint: 'DOMAIN\\name: that account of that domain. name: that name in any domain. .\\name: a local account of each computer (break-glass); only these still open when a computer cannot reach the server.',
    rows: 4,
  },
  {
    key: 'exemptDirectoryGroups',
    label: 'Exempt directory groups — members never locked, nested groups included (one per line: group name or DN)',
    hint: 'Asked of the directory at each logon (answers kept for a minute). When the directory does not answer in time, its members are locked like everyone else.',
    rows: 3,
  },
  {
    key: 'helpdeskContact',
    label: `Helpdesk contact — shown on the lock and at the end of every mail (up to ${SCOPE_LIMITS.helpdeskContact.maxLength} characters)`,
    hint: 'For example “IT helpdesk: +49 30 1234-567, it@example.com”. Empty: no contact line.',
  },
  {
    key: 'lockTitle',
    label: `Lock title — replaces the lock's heading (up to ${SCOPE_LIMITS.lockTitle.maxLength} characters)`,
    hint: "Empty: the built-in heading, in the user's language.",
  },
  {
    key: 'lockMessage',
    label: `Lock message — replaces the lock's first sentence (up to ${SCOPE_LIMITS.lockMessage.maxLength} characters)`,
    hint: "Empty: the built-in sentence, in the user's language. Your own title and message are shown as written, in every language.",
    rows: 3,
  },
];

export function WhoMustUnlockFieldset({
  draft,
  errors,
  onChange,
}: {
  draft: ScopeDraft;
  errors: ScopeErrors;
  onChange: (draft: ScopeDraft, changed: keyof ScopeDraft) => void;
}) {
  const set = <K extends keyof ScopeDraft>(key: K, value: ScopeDraft[K]) => onChange({ ...draft, [key]: value }, key);
  return (
    <fieldset>
      <legend>Who must unlock, and when</legend>
      {CHECKS.map((f) => (
        <CheckField
          key={f.key}
          id={`setting-${f.key}`}
          label={f.label}
          hint={f.hint}
          error={f.key === 'lockRemoteLogons' ? errors.lockRemoteLogons : undefined}
          checked={draft[f.key]}
          onChange={(checked) => set(f.key, checked)}
        />
      ))}
      {TEXTS.map((f) => {
        const id = `setting-${f.key}`;
        const props = {
          ...described(id, f.hint, errors[f.key]),
          value: draft[f.key],
          onInput: (e: { currentTarget: { value: string } }) => set(f.key, e.currentTarget.value),
        };
        return (
          <Field key={f.key} id={id} label={f.label} hint={f.hint} error={errors[f.key]}>
            {f.rows ? <textarea {...props} rows={f.rows} /> : <input {...props} type="text" />}
          </Field>
        );
      })}
    </fieldset>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { EmailDomainSchema, SETTINGS_LIMITS, type DirectoryStatus, type Settings, type SettingsPatch } from '@latchkey/contracts';
import { errorMessage } from '../data/errors';
import { saveSettings, useSettings } from '../data/settings';
import { useDirectoryStatus } from '../data/directory';
import { FormActions } from '../components/form-actions';
import { ErrorState, Loading, Notice } from '../components/states';
import { CheckField, Field, described } from '../components/field';
import { ServerKeyCard } from '../components/server-key';
import { parseList } from '../format';
import {
  SCOPE_FIELD_ORDER,
  WhoMustUnlockFieldset,
  scopeDraft,
  validateScope,
  type ScopeDraft,
  type ScopeErrors,
} from '../components/who-must-unlock';

type NumberKey = keyof typeof SETTINGS_LIMITS;
type BooleanKey =
  | 'autoSendToDirectoryUsers'
  | 'autoSendToInternalUsers'
  | 'defaultAllowOneTimePasswords'
  // offline unlock (issue 12)
  | 'allowOfflineUnlock'
  // issue 9 (the lock holds)
  | 'askAgainOnUnlock';

const NUMBER_FIELDS: { key: NumberKey; label: string; unit: string; hint: string }[] = [
  {
    key: 'accessRequestExpirationMinutes',
    label: 'Access Request Expiration Time',
    unit: 'minutes',
    hint: 'A one-time password, and a pending access request, expires this long after it is issued.',
  },
  {
    key: 'otpRequestIntervalMinutes',
    label: 'Interval between new one-time passwords',
    unit: 'minutes',
    hint: 'A computer can get a new one-time password at most once in this time. 0 turns the limit off. Emergency requests and Generate Password are never limited by it: a person decides.',
  },
  { key: 'otpLength', label: 'One-time password length', unit: 'digits', hint: 'Digits in each one-time password.' },
  {
    key: 'maxVerifyAttempts',
    label: 'Maximum verification attempts',
    unit: 'attempts',
    hint: 'Wrong entries before a one-time password can no longer be used.',
  },
  // issue 9 (the lock holds): ask again when the session comes back
  {
    key: 'unlockGraceMinutes',
    label: 'Do not ask again within this many minutes of the last unlock of this user on this computer',
    unit: 'minutes',
    hint: 'Applies when the lock asks again on unlock, reconnect or resume. 0 asks every time.',
  },
];

const BOOLEAN_FIELDS: { key: BooleanKey; label: string; hint: string }[] = [
  {
    key: 'autoSendToDirectoryUsers',
    label: 'Automatically send one-time passwords to Active Directory users',
    hint: 'The server looks the user up in the directory and emails the password without an approval.',
  },
  {
    key: 'autoSendToInternalUsers',
    label: 'Automatically send one-time passwords to internal users',
    hint: 'Internal users sign in on the lock screen and get the password by email without an approval. With both automatic options on, the lock offers the directory request first, with “Use my internal login instead” beside it.',
  },
  {
    key: 'defaultAllowOneTimePasswords',
    label: 'Allow the use of one-time passwords',
    hint: 'The starting value for computers enrolled from now on. Each computer can be changed on the Clients page.',
  },
  // offline unlock (issue 12)
  {
    key: 'allowOfflineUnlock',
    label: 'Allow offline unlock with the helpdesk',
    hint: 'When a computer cannot reach this server, its lock offers a challenge the helpdesk answers on the Offline Unlock page.',
  },
  // issue 9 (the lock holds): ask again when the session comes back
  {
    key: 'askAgainOnUnlock',
    label: 'Ask for a one-time password again when the session is unlocked, reconnected or resumed',
    hint: 'The lock comes back after a Windows unlock, a remote desktop or console reconnect and a resume from sleep. That one new password is never refused by the interval.',
  },
];

/** The grace minutes only matter while the lock asks again: the field sits under that checkbox. */
const DEPENDENT_NUMBER = {
  key: 'unlockGraceMinutes',
  after: 'askAgainOnUnlock',
  field: NUMBER_FIELDS.find((f) => f.key === 'unlockGraceMinutes')!,
} as const;

/** Whether the server has a directory and it answers: one sentence per state. */
function directorySentence(status: DirectoryStatus): string {
  if (!status.configured) {
    return 'No directory is configured on this server (LATCHKEY_LDAP_URL), so this cannot be switched on.';
  }
  return status.reachable ? 'The directory is configured and answering.' : 'The directory is configured but does not answer.';
}

function DirectoryState() {
  const status = useDirectoryStatus();
  const ok = status.data?.configured === true && status.data.reachable === true;
  return (
    <p class={`directory-state ${ok ? 'directory-ok' : 'directory-problem'}`} id="directory-state" data-testid="directory-state">
      {status.data ? directorySentence(status.data) : status.error ? 'The directory state could not be read.' : 'Checking the directory…'}
    </p>
  );
}

type Draft = Record<NumberKey, string> & Record<BooleanKey, boolean> & { allowedEmailDomains: string; scope: ScopeDraft };
type Errors = Partial<Record<NumberKey | 'allowedEmailDomains', string>> & { scope?: ScopeErrors };

const DOMAINS_HINT =
  'Email and emergency requests, and Generate Password, go only to addresses in these domains (exact match, one a line or comma-separated). Empty: any domain.';
// The contract's rule for a domain, not a copy of it.
const DOMAIN_PATTERN = new RegExp(EmailDomainSchema.pattern ?? '');
const DOMAIN_MAX_LENGTH = EmailDomainSchema.maxLength ?? 253;

function toDraft(s: Settings): Draft {
  return {
    accessRequestExpirationMinutes: String(s.accessRequestExpirationMinutes),
    otpRequestIntervalMinutes: String(s.otpRequestIntervalMinutes),
    otpLength: String(s.otpLength),
    maxVerifyAttempts: String(s.maxVerifyAttempts),
    autoSendToDirectoryUsers: s.autoSendToDirectoryUsers,
    autoSendToInternalUsers: s.autoSendToInternalUsers,
    defaultAllowOneTimePasswords: s.defaultAllowOneTimePasswords,
    // offline unlock (issue 12)
    allowOfflineUnlock: s.allowOfflineUnlock,
    // issue 9 (the lock holds)
    unlockGraceMinutes: String(s.unlockGraceMinutes),
    askAgainOnUnlock: s.askAgainOnUnlock,
    allowedEmailDomains: s.allowedEmailDomains.join('\n'),
    scope: scopeDraft(s),
  };
}

function validate(draft: Draft): { errors: Errors; settings?: SettingsPatch } {
  const errors: Errors = {};
  const numbers: Partial<Record<NumberKey, number>> = {};
  for (const field of NUMBER_FIELDS) {
    const { minimum, maximum } = SETTINGS_LIMITS[field.key];
    const raw = draft[field.key].trim();
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < minimum || value > maximum) {
      errors[field.key] = `Enter a whole number from ${minimum} to ${maximum}.`;
    } else numbers[field.key] = value;
  }
  const domains = parseList(draft.allowedEmailDomains.toLowerCase());
  const badDomain = domains.find((d) => !DOMAIN_PATTERN.test(d) || d.length > DOMAIN_MAX_LENGTH);
  if (badDomain !== undefined) errors.allowedEmailDomains = `"${badDomain}" is not a domain name such as corp.example.com.`;
  const scope = validateScope(draft.scope);
  if (!scope.patch) errors.scope = scope.errors;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    settings: {
      ...(numbers as Record<NumberKey, number>),
      autoSendToDirectoryUsers: draft.autoSendToDirectoryUsers,
      autoSendToInternalUsers: draft.autoSendToInternalUsers,
      defaultAllowOneTimePasswords: draft.defaultAllowOneTimePasswords,
      // offline unlock (issue 12)
      allowOfflineUnlock: draft.allowOfflineUnlock,
      // issue 9 (the lock holds)
      askAgainOnUnlock: draft.askAgainOnUnlock,
      allowedEmailDomains: domains,
      ...scope.patch,
    },
  };
}

export function SettingsPage() {
  const loaded = useSettings();
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);

  useEffect(() => {
    if (loaded.data) setDraft(toDraft(loaded.data));
  }, [loaded.data]);

  if (loaded.error) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!draft) return <Loading what="settings" />;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft({ ...draft, [key]: value });
    setNotice(undefined);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const { errors: found, settings } = validate(draft);
    setErrors(found);
    if (!settings) {
      setNotice({ text: 'Some values are not valid. Correct the highlighted fields and save again.', ok: false });
      const first =
        [...NUMBER_FIELDS.map((f) => f.key), 'allowedEmailDomains' as const].find((key) => found[key]) ??
        SCOPE_FIELD_ORDER.find((key) => found.scope?.[key]);
      if (first) document.getElementById(`setting-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await saveSettings(settings);
      setDraft(toDraft(saved));
      setNotice({ text: 'Settings saved. Clients use them from their next request.', ok: true });
    } catch (err) {
      setNotice({ text: errorMessage(err), ok: false });
    } finally {
      setBusy(false);
    }
  };

  const numberField = (f: (typeof NUMBER_FIELDS)[number]) => {
    const id = `setting-${f.key}`;
    const { minimum, maximum } = SETTINGS_LIMITS[f.key];
    const hint = `${f.hint} ${minimum} to ${maximum} ${f.unit}.`;
    return (
      <Field key={f.key} id={id} label={f.label} hint={hint} error={errors[f.key]}>
        <input
          {...described(id, hint, errors[f.key])}
          type="number"
          inputMode="numeric"
          min={minimum}
          max={maximum}
          step={1}
          value={draft[f.key]}
          onInput={(e) => {
            set(f.key, e.currentTarget.value);
            setErrors((old) => ({ ...old, [f.key]: undefined }));
          }}
        />
      </Field>
    );
  };

  return (
    <>
      <p class="lead">System settings for every computer and every request.</p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      <form class="card form" onSubmit={save} noValidate>
        <fieldset>
          <legend>One-time passwords</legend>
          <div class="grid-2">{NUMBER_FIELDS.filter((f) => f.key !== DEPENDENT_NUMBER.key).map(numberField)}</div>
        </fieldset>
        <fieldset>
          <legend>Delivery and defaults</legend>
          {BOOLEAN_FIELDS.map((f) => (
            <CheckField
              key={f.key}
              id={`setting-${f.key}`}
              label={f.label}
              hint={f.hint}
              checked={draft[f.key]}
              onChange={(checked) => set(f.key, checked)}
            >
              {f.key === 'autoSendToDirectoryUsers' && <DirectoryState />}
              {f.key === DEPENDENT_NUMBER.after && <div class="check-field-dependent">{numberField(DEPENDENT_NUMBER.field)}</div>}
            </CheckField>
          ))}
        </fieldset>
        <fieldset>
          <legend>Email addresses</legend>
          <Field id="setting-allowedEmailDomains" label="Allowed email domains" hint={DOMAINS_HINT} error={errors.allowedEmailDomains}>
            <textarea
              {...described('setting-allowedEmailDomains', DOMAINS_HINT, errors.allowedEmailDomains)}
              rows={3}
              value={draft.allowedEmailDomains}
              onInput={(e) => {
                set('allowedEmailDomains', e.currentTarget.value);
                setErrors((old) => ({ ...old, allowedEmailDomains: undefined }));
              }}
            />
          </Field>
        </fieldset>
        <WhoMustUnlockFieldset
          draft={draft.scope}
          errors={errors.scope ?? {}}
          onChange={(scope, changed) => {
            set('scope', scope);
            setErrors((old) => ({ ...old, scope: { ...old.scope, [changed]: undefined } }));
          }}
        />
        <FormActions label="Save" busyLabel="Saving…" busy={busy} />
      </form>
      <ServerKeyCard />
    </>
  );
}

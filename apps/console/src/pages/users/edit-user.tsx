import { useState } from 'preact/hooks';
import { isValidEmail, type Role } from '@latchkey/contracts';
import { updateUser } from '../../data/users';
import { Field, described } from '../../components/field';
import { InlineForm } from '../../components/inline-form';
import { ACCOUNTS_HINT, RoleSelect, parseAccounts, type RowForm } from '../users/user-fields';

/** Changes the user's email, Windows accounts and role; sends only what changed. */
export function EditUserForm({ user, base, busy, run, close, onUnchanged }: RowForm & { onUnchanged: () => void }) {
  const [email, setEmail] = useState(user.email);
  const [role, setRole] = useState<Role>(user.role);
  const [accountsText, setAccountsText] = useState(user.windowsAccounts.join('\n'));
  const [emailError, setEmailError] = useState<string | undefined>(undefined);
  const [accountsError, setAccountsError] = useState<string | undefined>(undefined);

  const submit = (event: Event) => {
    event.preventDefault();
    const badEmail = isValidEmail(email.trim()) ? undefined : 'Enter one valid email address.';
    const { accounts, error: badAccounts } = parseAccounts(accountsText);
    setEmailError(badEmail);
    setAccountsError(badAccounts);
    if (badEmail || badAccounts) return;
    const accountsChanged = accounts.join('\n') !== user.windowsAccounts.join('\n');
    const body = {
      ...(email.trim() !== user.email ? { email: email.trim() } : {}),
      ...(role !== user.role ? { role } : {}),
      ...(accountsChanged ? { windowsAccounts: accounts } : {}),
    };
    if (Object.keys(body).length === 0) return onUnchanged();
    void run(async () => {
      await updateUser(user.login, body);
      return `Saved the changes to ${user.login}.`;
    });
  };

  return (
    <InlineForm onSubmit={submit} submitLabel="Save changes" busy={busy} onCancel={close}>
      <Field id={`${base}-email`} label={`Email of ${user.login}`} error={emailError}>
        <input
          {...described(`${base}-email`, undefined, emailError)}
          type="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </Field>
      <Field id={`${base}-accounts`} label={`Windows accounts of ${user.login}`} hint={ACCOUNTS_HINT} error={accountsError}>
        <textarea
          {...described(`${base}-accounts`, ACCOUNTS_HINT, accountsError)}
          rows={2}
          value={accountsText}
          onInput={(e) => setAccountsText(e.currentTarget.value)}
        />
      </Field>
      <Field id={`${base}-role`} label={`Role of ${user.login}`}>
        <RoleSelect attrs={described(`${base}-role`)} value={role} onChange={setRole} />
      </Field>
    </InlineForm>
  );
}

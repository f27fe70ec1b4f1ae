import { useState } from 'preact/hooks';
import { NEW_PASSWORD_MIN_LENGTH, isValidEmail, isValidLoginName, routes, type Role } from '@latchkey/contracts';
import { api, errorMessage } from '../../api';
import { Field, described } from '../../components/field';
import { ACCOUNTS_HINT, ROLE_HINT, RoleSelect, parseAccounts, type Say } from '../users/user-fields';

/** The form under the list that adds an internal user. */
export function CreateUser({ onCreated, say }: { onCreated: () => void; say: Say }) {
  const [login, setLogin] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('helpdesk');
  const [password, setPassword] = useState('');
  const [accountsText, setAccountsText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const clearError = (key: string) => setErrors(({ [key]: _dropped, ...rest }) => rest);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!isValidLoginName(login.trim())) found.login = 'Use 1 to 64 letters, digits, dots, dashes, underscores or @.';
    if (!isValidEmail(email.trim())) found.email = 'Enter one valid email address.';
    if (password.length < NEW_PASSWORD_MIN_LENGTH) found.password = `Use at least ${NEW_PASSWORD_MIN_LENGTH} characters.`;
    const { accounts, error: accountsError } = parseAccounts(accountsText);
    if (accountsError) found.accounts = accountsError;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body = {
        login: login.trim(),
        email: email.trim(),
        role,
        password,
        ...(accounts.length > 0 ? { windowsAccounts: accounts } : {}),
      };
      const user = await api(routes.createUser, { body });
      say(`Created ${user.login} (${user.role}).`, true);
      setLogin('');
      setEmail('');
      setPassword('');
      setAccountsText('');
      setRole('helpdesk');
      onCreated();
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create user</h2>
      <form class="card form" onSubmit={submit} noValidate>
        <div class="grid-2">
          <Field id="new-login" label="Login name" error={errors.login}>
            <input
              {...described('new-login', undefined, errors.login)}
              value={login}
              autoComplete="off"
              maxLength={64}
              onInput={(e) => {
                setLogin(e.currentTarget.value);
                clearError('login');
              }}
            />
          </Field>
          <Field id="new-email" label="Email" error={errors.email}>
            <input
              {...described('new-email', undefined, errors.email)}
              type="email"
              value={email}
              autoComplete="off"
              maxLength={254}
              onInput={(e) => {
                setEmail(e.currentTarget.value);
                clearError('email');
              }}
            />
          </Field>
          <Field id="new-role" label="Role" hint={ROLE_HINT}>
            <RoleSelect attrs={described('new-role', ROLE_HINT)} value={role} onChange={setRole} />
          </Field>
          <Field id="new-password" label="Password" hint={`At least ${NEW_PASSWORD_MIN_LENGTH} characters.`} error={errors.password}>
            <input
              {...described('new-password', 'hint', errors.password)}
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={(e) => {
                setPassword(e.currentTarget.value);
                clearError('password');
              }}
            />
          </Field>
          <Field id="new-accounts" label="Windows accounts (optional)" hint={ACCOUNTS_HINT} error={errors.accounts}>
            <textarea
              {...described('new-accounts', ACCOUNTS_HINT, errors.accounts)}
              rows={2}
              value={accountsText}
              onInput={(e) => {
                setAccountsText(e.currentTarget.value);
                clearError('accounts');
              }}
            />
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="button-primary" disabled={busy}>
            Create user
          </button>
        </div>
      </form>
    </section>
  );
}

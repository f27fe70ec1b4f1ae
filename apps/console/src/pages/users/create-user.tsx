import {
  DEFAULT_USER_ROLE,
  EmailSchema,
  isValidEmail,
  isValidLoginName,
  LoginNameSchema,
  NEW_PASSWORD_MIN_LENGTH,
  type Role,
} from '@latchkey/contracts';
import { createUser } from '../../data/users';
import { Field, described } from '../../components/field';
import { useAction, useForm } from '../../components/use-form';
import { FormActions } from '../../components/form-actions';
import { ACCOUNTS_HINT, ROLE_HINT, RoleSelect, parseAccounts, type Say } from '../users/user-fields';
import { maxLengthOf } from '../../limits';

const EMPTY = { login: '', email: '', role: DEFAULT_USER_ROLE as Role, password: '', accounts: '' };

/** The form under the list that adds an internal user. */
export function CreateUser({ onCreated, say }: { onCreated: () => void; say: Say }) {
  const { values, errors, setErrors, set, edit, reset } = useForm(EMPTY);
  const { busy, run } = useAction(say);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!isValidLoginName(values.login.trim())) found.login = 'Use 1 to 64 letters, digits, dots, dashes, underscores or @.';
    if (!isValidEmail(values.email.trim())) found.email = 'Enter one valid email address.';
    if (values.password.length < NEW_PASSWORD_MIN_LENGTH) found.password = `Use at least ${NEW_PASSWORD_MIN_LENGTH} characters.`;
    const { accounts, error: accountsError } = parseAccounts(values.accounts);
    if (accountsError) found.accounts = accountsError;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = {
      login: values.login.trim(),
      email: values.email.trim(),
      role: values.role,
      password: values.password,
      ...(accounts.length > 0 ? { windowsAccounts: accounts } : {}),
    };
    await run(
      async () => {
        const user = await createUser(body);
        return `Created ${user.login} (${user.role}).`;
      },
      () => {
        reset(EMPTY);
        onCreated();
      },
    );
  };

  return (
    <section aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create user</h2>
      <form class="card form" onSubmit={submit} noValidate>
        <div class="grid-2">
          <Field id="new-login" label="Login name" error={errors.login}>
            <input
              {...described('new-login', undefined, errors.login)}
              value={values.login}
              autoComplete="off"
              maxLength={maxLengthOf(LoginNameSchema)}
              onInput={edit('login')}
            />
          </Field>
          <Field id="new-email" label="Email" error={errors.email}>
            <input
              {...described('new-email', undefined, errors.email)}
              type="email"
              value={values.email}
              autoComplete="off"
              maxLength={maxLengthOf(EmailSchema)}
              onInput={edit('email')}
            />
          </Field>
          <Field id="new-role" label="Role" hint={ROLE_HINT}>
            <RoleSelect attrs={described('new-role', ROLE_HINT)} value={values.role} onChange={(role) => set('role', role)} />
          </Field>
          <Field id="new-password" label="Password" hint={`At least ${NEW_PASSWORD_MIN_LENGTH} characters.`} error={errors.password}>
            <input
              {...described('new-password', 'hint', errors.password)}
              type="password"
              autoComplete="new-password"
              value={values.password}
              onInput={edit('password')}
            />
          </Field>
          <Field id="new-accounts" label="Windows accounts (optional)" hint={ACCOUNTS_HINT} error={errors.accounts}>
            <textarea
              {...described('new-accounts', ACCOUNTS_HINT, errors.accounts)}
              rows={2}
              value={values.accounts}
              onInput={edit('accounts')}
            />
          </Field>
        </div>
        <FormActions label="Create user" busy={busy} />
      </form>
    </section>
  );
}

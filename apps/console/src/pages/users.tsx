import { useRef, useState } from 'preact/hooks';
import { NEW_PASSWORD_MIN_LENGTH, isValidEmail, isValidLoginName, routes, type InternalUser, type Role } from '@latchkey/contracts';
import { api, errorMessage } from '../api';
import { useAsync, useNow } from '../hooks';
import { Empty, ErrorState, Loading, Notice } from '../components/states';
import { Field, described } from '../components/field';
import { Time } from '../components/time';
import { parseList } from '../format';

const ROLES: Role[] = ['admin', 'helpdesk', 'user'];
const ROLE_HINT = 'admin: everything. helpdesk: requests, passwords, sessions, clients, audit. user: may only request one-time passwords.';
const ACCOUNTS_HINT =
  'Windows accounts this user may unlock with their login and password, besides their own login name: DOMAIN\\name for one domain, name for any domain. One a line or comma-separated.';
const MAX_ACCOUNTS = 50;

/** The typed list of Windows accounts, or why it is not valid. */
function parseAccounts(text: string): { accounts: string[]; error?: string } {
  const accounts = parseList(text);
  if (accounts.length > MAX_ACCOUNTS) return { accounts, error: `Enter at most ${MAX_ACCOUNTS} Windows accounts.` };
  const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;
  const bad = accounts.find((a) => a.length > 256 || [...a].some(isControl));
  return bad === undefined ? { accounts } : { accounts, error: `"${bad}" is not a valid Windows account.` };
}

type Say = (text: string, ok: boolean) => void;

function CreateUser({ onCreated, say }: { onCreated: () => void; say: Say }) {
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
            <select {...described('new-role', ROLE_HINT)} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
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

type Mode = 'password' | 'edit' | 'delete';

function UserActions({ user, self, onChanged, say }: { user: InternalUser; self: string; onChanged: () => void; say: Say }) {
  const [mode, setMode] = useState<Mode | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState(user.email);
  const [role, setRole] = useState<Role>(user.role);
  const [accountsText, setAccountsText] = useState(user.windowsAccounts.join('\n'));
  const [error, setError] = useState<string | undefined>(undefined);
  const [accountsError, setAccountsError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const base = `user-${user.login.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const opener = useRef<Record<Mode, HTMLButtonElement | null>>({ password: null, edit: null, delete: null });
  /** Cancel closes the form and puts focus back on the button that opened it. */
  const close = () => {
    const back = mode ? opener.current[mode] : null;
    setMode(undefined);
    back?.focus();
  };

  const open = (next: Mode) => {
    setMode(mode === next ? undefined : next);
    setError(undefined);
    setPassword('');
    setEmail(user.email);
    setRole(user.role);
    setAccountsText(user.windowsAccounts.join('\n'));
    setAccountsError(undefined);
  };

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    try {
      say(await work(), true);
      setMode(undefined);
      onChanged();
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: Event) => {
    event.preventDefault();
    if (password.length < NEW_PASSWORD_MIN_LENGTH) return setError(`Use at least ${NEW_PASSWORD_MIN_LENGTH} characters.`);
    setError(undefined);
    void run(async () => {
      await api(routes.updateUser, { params: { login: user.login }, body: { password } });
      return `The password of ${user.login} was reset.`;
    });
  };

  const submitEdit = (event: Event) => {
    event.preventDefault();
    const emailError = isValidEmail(email.trim()) ? undefined : 'Enter one valid email address.';
    const { accounts, error: badAccounts } = parseAccounts(accountsText);
    setError(emailError);
    setAccountsError(badAccounts);
    if (emailError || badAccounts) return;
    const accountsChanged = accounts.join('\n') !== user.windowsAccounts.join('\n');
    const body = {
      ...(email.trim() !== user.email ? { email: email.trim() } : {}),
      ...(role !== user.role ? { role } : {}),
      ...(accountsChanged ? { windowsAccounts: accounts } : {}),
    };
    if (Object.keys(body).length === 0) return setMode(undefined);
    void run(async () => {
      await api(routes.updateUser, { params: { login: user.login }, body });
      return `Saved the changes to ${user.login}.`;
    });
  };

  return (
    <div class="user-actions">
      <div class="row-actions">
        <button
          type="button"
          class="button-secondary"
          ref={(el) => void (opener.current.edit = el)}
          aria-expanded={mode === 'edit'}
          aria-label={`Edit ${user.login}`}
          onClick={() => open('edit')}
        >
          Edit
        </button>
        <button
          type="button"
          class="button-secondary"
          ref={(el) => void (opener.current.password = el)}
          aria-expanded={mode === 'password'}
          aria-label={`Reset password of ${user.login}`}
          onClick={() => open('password')}
        >
          Reset password
        </button>
        <button
          type="button"
          class="button-danger"
          ref={(el) => void (opener.current.delete = el)}
          aria-expanded={mode === 'delete'}
          aria-label={`Delete ${user.login}`}
          onClick={() => open('delete')}
        >
          Delete
        </button>
      </div>
      {mode === 'password' && (
        <form class="inline-form" onSubmit={submitPassword} noValidate>
          <Field id={`${base}-password`} label={`New password for ${user.login}`} error={error}>
            <input
              {...described(`${base}-password`, undefined, error)}
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="button-primary" disabled={busy}>
            Set password
          </button>
          <button type="button" class="button-link" onClick={close}>
            Cancel
          </button>
        </form>
      )}
      {mode === 'edit' && (
        <form class="inline-form" onSubmit={submitEdit} noValidate>
          <Field id={`${base}-email`} label={`Email of ${user.login}`} error={error}>
            <input
              {...described(`${base}-email`, undefined, error)}
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
            <select id={`${base}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="button-primary" disabled={busy}>
            Save changes
          </button>
          <button type="button" class="button-link" onClick={close}>
            Cancel
          </button>
        </form>
      )}
      {mode === 'delete' && (
        <div class="inline-form" role="group" aria-label={`Delete ${user.login}`}>
          <span>
            Delete {user.login}
            {user.login === self ? ' (that is you)' : ''}? This cannot be undone.
          </span>
          <button
            type="button"
            class="button-danger"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await api(routes.deleteUser, { params: { login: user.login } });
                return `Deleted ${user.login}.`;
              })
            }
            aria-label={`Confirm delete of ${user.login}`}
          >
            Confirm delete
          </button>
          <button type="button" class="button-link" onClick={close}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}

export function UsersPage({ self }: { self: string }) {
  const users = useAsync(() => api(routes.listUsers, {}), []);
  const now = useNow();
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);
  const say: Say = (text, ok) => setNotice({ text, ok });

  return (
    <>
      <p class="lead">
        Internal users: administrators, helpdesk staff, and users who may request one-time passwords by signing in on the lock screen.
      </p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      {users.loading && !users.data ? (
        <Loading what="users" />
      ) : users.error ? (
        <ErrorState error={users.error} onRetry={users.reload} />
      ) : !users.data || users.data.length === 0 ? (
        <Empty>No internal users.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Internal users">
          <table>
            <caption class="sr-only">Internal users</caption>
            <thead>
              <tr>
                <th scope="col">Login</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Windows accounts</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.login}>
                  <td>{u.login}</td>
                  <td>{u.email}</td>
                  <td>
                    <span class={`tag tag-role-${u.role}`}>{u.role}</span>
                  </td>
                  <td class="wrap">
                    {u.windowsAccounts.length > 0 ? u.windowsAccounts.join(', ') : <span class="muted">own login only</span>}
                  </td>
                  <td>
                    <Time ms={u.createdAt} now={now} />
                  </td>
                  <td>
                    <UserActions user={u} self={self} onChanged={users.reload} say={say} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateUser onCreated={users.reload} say={say} />
    </>
  );
}

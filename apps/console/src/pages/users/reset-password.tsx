import { useState } from 'preact/hooks';
import { NEW_PASSWORD_MIN_LENGTH } from '@latchkey/contracts';
import { updateUser } from '../../data/users';
import { Field, described } from '../../components/field';
import { InlineForm } from '../../components/inline-form';
import type { RowForm } from '../users/user-fields';

/** Sets a new password for the user. */
export function ResetPasswordForm({ user, base, busy, run, close }: RowForm) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = (event: Event) => {
    event.preventDefault();
    if (password.length < NEW_PASSWORD_MIN_LENGTH) return setError(`Use at least ${NEW_PASSWORD_MIN_LENGTH} characters.`);
    setError(undefined);
    void run(async () => {
      await updateUser(user.login, { password });
      return `The password of ${user.login} was reset.`;
    });
  };

  return (
    <InlineForm onSubmit={submit} submitLabel="Set password" busy={busy} onCancel={close}>
      <Field id={`${base}-password`} label={`New password for ${user.login}`} error={error}>
        <input
          {...described(`${base}-password`, undefined, error)}
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
    </InlineForm>
  );
}

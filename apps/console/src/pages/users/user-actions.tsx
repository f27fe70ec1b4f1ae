import { useRef, useState } from 'preact/hooks';
import type { InternalUser } from '@latchkey/contracts';
import { useAction } from '../../components/use-form';
import type { RowForm, Say } from '../users/user-fields';
import { ResetPasswordForm } from '../users/reset-password';
import { EditUserForm } from '../users/edit-user';
import { DeleteUserConfirm } from '../users/delete-user';

type Mode = 'password' | 'edit' | 'delete';

const BUTTONS: { mode: Mode; label: string; class: string; name: (login: string) => string }[] = [
  { mode: 'edit', label: 'Edit', class: 'button-secondary', name: (login) => `Edit ${login}` },
  { mode: 'password', label: 'Reset password', class: 'button-secondary', name: (login) => `Reset password of ${login}` },
  { mode: 'delete', label: 'Delete', class: 'button-danger', name: (login) => `Delete ${login}` },
];

/** The row's Edit, Reset password and Delete buttons; each opens its inline form below them. */
export function UserActions({ user, self, onChanged, say }: { user: InternalUser; self: string; onChanged: () => void; say: Say }) {
  const [mode, setMode] = useState<Mode | undefined>(undefined);
  const action = useAction(say);
  const opener = useRef<Record<Mode, HTMLButtonElement | null>>({ password: null, edit: null, delete: null });
  /** Cancel closes the form and puts focus back on the button that opened it. */
  const close = () => {
    const back = mode ? opener.current[mode] : null;
    setMode(undefined);
    back?.focus();
  };

  const run = (work: () => Promise<string>) =>
    action.run(work, () => {
      setMode(undefined);
      onChanged();
    });

  // Each form starts from the user as listed whenever it opens (it mounts afresh).
  const form: RowForm = { user, base: `user-${user.login.replace(/[^A-Za-z0-9_-]/g, '_')}`, busy: action.busy, run, close };
  return (
    <div class="user-actions">
      <div class="row-actions">
        {BUTTONS.map((b) => (
          <button
            key={b.mode}
            type="button"
            class={b.class}
            ref={(el) => void (opener.current[b.mode] = el)}
            aria-expanded={mode === b.mode}
            aria-label={b.name(user.login)}
            onClick={() => setMode(mode === b.mode ? undefined : b.mode)}
          >
            {b.label}
          </button>
        ))}
      </div>
      {mode === 'password' && <ResetPasswordForm {...form} />}
      {mode === 'edit' && <EditUserForm {...form} onUnchanged={() => setMode(undefined)} />}
      {mode === 'delete' && <DeleteUserConfirm {...form} self={self} />}
    </div>
  );
}

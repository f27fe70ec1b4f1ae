import { deleteUser } from '../../data/users';
import { CancelButton } from '../../components/inline-form';
import type { RowForm } from '../users/user-fields';

/** Asks once more before deleting the user (and says so when it is the person signed in). */
export function DeleteUserConfirm({ user, busy, run, close, self }: RowForm & { self: string }) {
  return (
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
          void run(async () => {
            await deleteUser(user.login);
            return `Deleted ${user.login}.`;
          })
        }
        aria-label={`Confirm delete of ${user.login}`}
      >
        Confirm delete
      </button>
      <CancelButton onCancel={close} />
    </div>
  );
}

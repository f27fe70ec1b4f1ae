import { useState } from 'preact/hooks';
import { useNow } from '../../hooks';
import { useUsers } from '../../data/users';
import { Notice } from '../../components/states';
import { DataTable, DataView } from '../../components/data-view';
import { Time } from '../../components/time';
import type { Say } from '../users/user-fields';
import { UserActions } from '../users/user-actions';
import { CreateUser } from '../users/create-user';

const COLUMNS = ['Login', 'Email', 'Role', 'Windows accounts', 'Created', 'Actions'];

export function UsersPage({ self }: { self: string }) {
  const users = useUsers();
  const now = useNow();
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);
  const say: Say = (text, ok) => setNotice({ text, ok });

  return (
    <>
      <p class="lead">
        Internal users: administrators, helpdesk staff, and users who may request one-time passwords by signing in on the lock screen.
      </p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      <DataView state={users} rows={users.data} what="users" empty="No internal users.">
        {(rows) => (
          <DataTable label="Internal users" columns={COLUMNS}>
            {rows.map((u) => (
              <tr key={u.login}>
                <td>{u.login}</td>
                <td class="cell-wide">{u.email}</td>
                <td>
                  <span class={`tag tag-role-${u.role}`}>{u.role}</span>
                </td>
                <td class="wrap">
                  {u.windowsAccounts.length > 0 ? u.windowsAccounts.join(', ') : <span class="muted">own login only</span>}
                </td>
                <td>
                  <Time ms={u.createdAt} now={now} />
                </td>
                <td class="cell-actions">
                  <UserActions user={u} self={self} onChanged={users.reload} say={say} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </DataView>
      <CreateUser onCreated={users.reload} say={say} />
    </>
  );
}

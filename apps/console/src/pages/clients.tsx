import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdminClient } from '@latchkey/contracts';
import { errorMessage } from '../data/errors';
import { useNow } from '../hooks';
import { allowOneTimePasswords, removeClient, useClientList } from '../data/clients';
import { clearLockout, useLockouts } from '../data/lockouts';
import { Notice } from '../components/states';
import { DataTable, DataView } from '../components/data-view';
import { Time } from '../components/time';
import { ConfirmDialog } from '../components/confirm-dialog';

/** Remove a Client: a confirmation first, then focus goes back to the button (cancel) or to the result. */
function useRemoval(onRemoved: (c: AdminClient) => void, say: (text: string, ok: boolean) => void) {
  const [target, setTarget] = useState<AdminClient | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const opener = useRef<HTMLElement | null>(null);
  const focusAfter = useRef<HTMLElement | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (target || !focusAfter.current) return;
    focusAfter.current.focus();
    focusAfter.current = null;
  }, [target]);

  const open = (client: AdminClient, button: HTMLElement) => {
    opener.current = button;
    setTarget(client);
  };
  const cancel = () => {
    focusAfter.current = opener.current;
    setTarget(undefined);
  };
  const confirm = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await removeClient(target.clientId);
      say(`Removed ${target.computerName}. Its token no longer works and its pending requests were denied.`, true);
      onRemoved(target);
      focusAfter.current = noticeRef.current;
    } catch (err) {
      say(errorMessage(err), false);
      focusAfter.current = opener.current;
    } finally {
      setBusy(false);
      setTarget(undefined);
    }
  };
  return { target, busy, open, cancel, confirm, noticeRef };
}

function OtpToggle({
  client,
  canChange,
  onChanged,
}: {
  client: AdminClient;
  canChange: boolean;
  onChanged: (c: AdminClient | string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const id = `allow-${client.clientId}`;
  if (!canChange)
    return (
      <span class={client.allowOneTimePasswords ? 'tag tag-sent' : 'tag tag-denied'}>
        {client.allowOneTimePasswords ? 'allowed' : 'not allowed'}
      </span>
    );
  const toggle = async (allow: boolean) => {
    setBusy(true);
    try {
      onChanged(await allowOneTimePasswords(client.clientId, allow));
    } catch (err) {
      onChanged(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="switch">
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={client.allowOneTimePasswords}
        disabled={busy}
        onChange={(e) => toggle(e.currentTarget.checked)}
      />
      <label for={id}>
        <span class="sr-only">Allow the use of one-time passwords on {client.computerName}</span>
        <span aria-hidden="true">{client.allowOneTimePasswords ? 'On' : 'Off'}</span>
      </label>
    </span>
  );
}

function Lockouts({ canClear }: { canClear: boolean }) {
  const lockouts = useLockouts();
  const now = useNow();
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);
  const clear = async (clientId: string, osUser: string, computer: string) => {
    try {
      await clearLockout(clientId, osUser);
      setNotice({ text: `Cleared the lockout of ${osUser} on ${computer}.`, ok: true });
      lockouts.reload();
    } catch (err) {
      setNotice({ text: errorMessage(err), ok: false });
    }
  };
  return (
    <section aria-labelledby="lockouts-title">
      <h2 id="lockouts-title">Verification lockouts</h2>
      <p class="hint">A user is locked out on a computer after 100 wrong one-time passwords in a row.</p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      <DataView state={lockouts} rows={lockouts.data} what="lockouts" empty="No one is locked out.">
        {(shown) => (
          <DataTable label="Verification lockouts" columns={['Computer', 'User', 'Failures', 'Locked', canClear && 'Action']}>
            {shown.map((l) => (
              <tr key={`${l.clientId}/${l.osUser}`}>
                <td>{l.computerName}</td>
                <td>{l.osUser}</td>
                <td>{l.failures}</td>
                <td>
                  <Time ms={l.lockedAt} now={now} />
                </td>
                {canClear && (
                  <td class="cell-actions">
                    <button
                      type="button"
                      class="button-secondary"
                      aria-label={`Clear lockout of ${l.osUser} on ${l.computerName}`}
                      onClick={() => clear(l.clientId, l.osUser, l.computerName)}
                    >
                      Clear lockout
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </DataView>
    </section>
  );
}

export function ClientsPage({ canChange }: { canChange: boolean }) {
  const clients = useClientList();
  const now = useNow();
  const [overrides, setOverrides] = useState<Record<string, AdminClient>>({});
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  // A fresh list from the server supersedes what this page changed locally.
  useEffect(() => {
    setOverrides({});
    setRemoved(new Set());
  }, [clients.data]);
  const removal = useRemoval(
    (c) => {
      setRemoved((r) => new Set(r).add(c.clientId));
      // The server's list says whether the name is still shared by another computer.
      clients.reload();
    },
    (text, ok) => setNotice({ text, ok }),
  );

  const changed = (result: AdminClient | string) => {
    if (typeof result === 'string') {
      setNotice({ text: result, ok: false });
      return;
    }
    setOverrides((o) => ({ ...o, [result.clientId]: result }));
    setNotice({
      text: `One-time passwords are now ${result.allowOneTimePasswords ? 'allowed' : 'not allowed'} on ${result.computerName}.`,
      ok: true,
    });
  };

  const list = (clients.data ?? [])
    .filter((c) => !removed.has(c.clientId))
    .map((c) => overrides[c.clientId] ?? c)
    .sort((a, b) => a.computerName.localeCompare(b.computerName));

  return (
    <>
      <p class="lead">
        Computers enrolled with this server.
        {canChange
          ? ' Turn one-time passwords off for a computer to refuse every request from it; remove a computer that should not be enrolled.'
          : ''}
      </p>
      <div ref={removal.noticeRef} tabIndex={-1} class="notice-anchor">
        {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      </div>
      <DataView state={clients} rows={list} what="clients" empty="No computers are enrolled yet.">
        {() => (
          <DataTable
            label="Enrolled clients"
            columns={[
              'Computer',
              'Kind',
              'Enrolled',
              'Enrolled from',
              'Last seen',
              'Allow the use of one-time passwords',
              canChange && 'Action',
            ]}
          >
            {list.map((c) => (
              <tr key={c.clientId}>
                <td>
                  {c.computerName}
                  {c.duplicateName && (
                    <>
                      {' '}
                      <span class="tag tag-warning" title="Another enrolled computer has the same name. One of them may be an impostor.">
                        Duplicate name
                      </span>
                    </>
                  )}
                </td>
                <td>{c.role === 'guard' ? 'Guard' : c.role === 'machine' ? 'Lock (installer)' : 'Lock'}</td>
                <td>
                  <Time ms={c.enrolledAt} now={now} />
                </td>
                <td>{c.enrolledFromAddress ?? <span class="muted">not recorded</span>}</td>
                <td>{c.lastSeenAt === null ? <span class="muted">never</span> : <Time ms={c.lastSeenAt} now={now} />}</td>
                <td>
                  <OtpToggle client={c} canChange={canChange} onChanged={changed} />
                </td>
                {canChange && (
                  <td class="cell-actions">
                    <button type="button" class="button-danger" onClick={(e) => removal.open(c, e.currentTarget)}>
                      Remove<span class="sr-only"> {c.computerName}</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </DataView>
      {list.some((c) => c.duplicateName) && (
        <p class="hint">
          <span class="tag tag-warning">Duplicate name</span> Two or more enrolled computers report the same name. Compare where they
          enrolled from and remove the one that should not be there.
        </p>
      )}
      {removal.target && (
        <ConfirmDialog
          id="remove-client"
          title={`Remove ${removal.target.computerName}?`}
          confirmLabel="Remove computer"
          busy={removal.busy}
          danger
          onConfirm={() => void removal.confirm()}
          onCancel={removal.cancel}
        >
          <p>
            {removal.target.computerName}
            {removal.target.enrolledFromAddress ? ` (enrolled from ${removal.target.enrolledFromAddress})` : ''} will no longer be able to
            request or verify one-time passwords, and its pending requests will be denied. To use it again, enroll it again. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      )}
      <Lockouts canClear={canChange} />
    </>
  );
}

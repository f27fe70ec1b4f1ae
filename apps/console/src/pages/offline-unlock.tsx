import { useRef, useState } from 'preact/hooks';
import {
  CommentSchema,
  groupOfflineCode,
  isOfflineCode,
  normalizeOfflineCode,
  OFFLINE_CHALLENGE_LENGTH,
  OfflineCodeInputSchema,
  OsUserSchema,
  type AdminClient,
  type OfflineResponseResult,
} from '@latchkey/contracts';
import { errorMessage } from '../data/errors';
import { useNow } from '../hooks';
import { offlineResponse, useOfflineUnlocks } from '../data/offline-unlocks';
import { useEnrolledClients } from '../data/clients';
import { formatTime } from '../format';
import { Notice } from '../components/states';
import { useForm, type FieldErrors } from '../components/use-form';
import { FormActions } from '../components/form-actions';
import { DataTable, DataView } from '../components/data-view';
import { ClientSelect, TextField } from '../components/text-field';
import { Time } from '../components/time';
import { maxLengthOf } from '../limits';

/**
 * "Offline Unlock": the helpdesk answers the challenge a locked computer shows when it cannot reach
 * the server, and everyone reviews the offline unlocks the Clients reported afterwards.
 */
export function OfflineUnlockPage() {
  // A code just given shows in the list at once, not at the next refresh.
  const [issued, setIssued] = useState(0);
  return (
    <>
      <p class="lead">
        When a computer cannot reach the Latchkey server, its lock shows a challenge. The user reads it to you over the phone; you read back
        the response code. Every code asked for here, and every offline unlock the computers report once they are back online, is listed
        below and in the audit log.
      </p>
      <ResponseSection onIssued={() => setIssued((n) => n + 1)} />
      <OfflineUnlockList refreshKey={issued} />
    </>
  );
}

const EMPTY = { clientId: '', osUser: '', challenge: '', reason: '' };

/** The form's text fields; each has the id `offline-<key>`, which a failed check focuses. */
const TEXT_FIELDS = {
  osUser: { label: 'User', hint: 'As the lock screen shows it, DOMAIN\\name or name.', maxLength: maxLengthOf(OsUserSchema) },
  challenge: {
    label: 'Challenge',
    class: 'code-input',
    hint: '8 characters; dashes and case do not matter.',
    maxLength: maxLengthOf(OfflineCodeInputSchema),
  },
  reason: { label: 'Reason', hint: 'Who called and why (ticket number); kept in the audit log.', maxLength: maxLengthOf(CommentSchema) },
};

function ResponseSection({ onIssued }: { onIssued: () => void }) {
  const clients = useEnrolledClients();
  return (
    <DataView state={clients.state} rows={clients.sorted} what="enrolled clients" empty="No computers are enrolled yet.">
      {(list) => <ResponseForm list={list} onIssued={onIssued} />}
    </DataView>
  );
}

function ResponseForm({ list, onIssued }: { list: AdminClient[]; onIssued: () => void }) {
  const { values, setErrors, edit, shown } = useForm(EMPTY);
  const { clientId, osUser, challenge, reason } = values;
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [answer, setAnswer] = useState<(OfflineResponseResult & { computer: string; osUser: string; challenge: string }) | undefined>();
  const answerRef = useRef<HTMLDivElement>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: FieldErrors<typeof EMPTY> = {};
    const typed = normalizeOfflineCode(challenge);
    if (!clientId) found.clientId = 'Choose the computer the user reads from the lock screen.';
    if (!osUser.trim()) found.osUser = 'Enter the user shown on the lock screen, e.g. CORP\\jdoe.';
    if (!isOfflineCode(typed, OFFLINE_CHALLENGE_LENGTH)) found.challenge = 'The challenge is 8 letters and digits, like 7K3M-Q9TB.';
    if (!reason.trim()) found.reason = 'Say why you give access (caller, ticket): it goes into the audit log.';
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) {
      const first = (['clientId', 'osUser', 'challenge', 'reason'] as const).find((k) => found[k]);
      if (first) document.getElementById(`offline-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await offlineResponse(clientId, { osUser: osUser.trim(), challenge: typed, reason: reason.trim() });
      const computer = list.find((c) => c.clientId === clientId)?.computerName ?? 'the computer';
      setAnswer({ ...result, computer, osUser: osUser.trim(), challenge: typed });
      onIssued();
      setTimeout(() => answerRef.current?.focus(), 0);
    } catch (err) {
      setAnswer(undefined);
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const text = (key: keyof typeof TEXT_FIELDS) => (
    <TextField id={`offline-${key}`} {...TEXT_FIELDS[key]} {...shown(key)} onInput={edit(key)} />
  );

  return (
    <section aria-labelledby="offline-form-title">
      <h2 id="offline-form-title">Get a response code</h2>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form class="card form" onSubmit={submit} noValidate>
        <ClientSelect id="offline-clientId" label="Computer" clients={list} {...shown('clientId')} onChange={edit('clientId')} />
        <div class="grid-2">
          {text('osUser')}
          {text('challenge')}
        </div>
        {text('reason')}
        <FormActions label="Get response code" busyLabel="Computing…" busy={busy} />
      </form>
      <p class="hint">
        A computer's offline key is never sent through the server (v1.2): to renew it, enroll the computer again as an administrator (
        <code>Latchkey.exe --enroll-machine</code>), then remove its old Client.
      </p>
      {answer && (
        <div class="card response-card" ref={answerRef} tabIndex={-1} aria-labelledby="offline-answer-title" role="region">
          <h3 id="offline-answer-title">
            Response code for {answer.osUser} on {answer.computer}
          </h3>
          <p class="response-code" data-testid="response-code" aria-label={[...answer.responseCode].join(' ')}>
            {groupOfflineCode(answer.responseCode)}
          </p>
          <p class="hint">
            For challenge {groupOfflineCode(answer.challenge)}. Read it out character by character; it works once, until{' '}
            {formatTime(answer.expiresAt)} at the latest.
          </p>
        </div>
      )}
    </section>
  );
}

const COLUMNS = ['Computer', 'User', 'Challenge', 'Code given by', 'Issued', 'Used', 'Reported'];

function OfflineUnlockList({ refreshKey }: { refreshKey: number }) {
  const result = useOfflineUnlocks(refreshKey);
  const now = useNow();
  return (
    <section aria-labelledby="offline-list-title">
      <h2 id="offline-list-title">Offline unlocks</h2>
      <DataView state={result} rows={result.data} what="offline unlocks" empty="No offline unlocks yet.">
        {(shown) => (
          <DataTable label="Offline unlocks, newest first" columns={COLUMNS} region={false}>
            {shown.map((u) => (
              <tr key={u.unlockId}>
                <td>{u.computerName}</td>
                <td>{u.osUser}</td>
                <td class="mono">{groupOfflineCode(u.challenge)}</td>
                <td>
                  {u.issuedBy ?? <span class="tag tag-warning">not issued here: review</span>}
                  {u.reason && <div class="hint">{u.reason}</div>}
                </td>
                <td>
                  <Time ms={u.issuedAt} now={now} />
                </td>
                <td>{u.usedAt === null ? <span class="muted">not reported yet</span> : <Time ms={u.usedAt} now={now} />}</td>
                <td class="cell-actions">
                  <Time ms={u.reportedAt} now={now} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </DataView>
    </section>
  );
}

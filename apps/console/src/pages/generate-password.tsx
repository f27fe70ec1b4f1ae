import { useState } from 'preact/hooks';
import { CommentSchema, EmailSchema, isValidEmail, OsUserSchema, type AdminClient } from '@latchkey/contracts';
import { osUserWarning } from '../os-user-hint';
import { errorMessage } from '../data/errors';
import { useClientOsUsers, useEnrolledClients } from '../data/clients';
import { generatePassword } from '../data/access-requests';
import { formatTime } from '../format';
import { Notice } from '../components/states';
import { useForm } from '../components/use-form';
import { FormActions } from '../components/form-actions';
import { DataView } from '../components/data-view';
import { Field, described } from '../components/field';
import { ClientSelect, TextField } from '../components/text-field';
import '../styles/generate-password.css';
import { maxLengthOf } from '../limits';

export function GeneratePasswordPage() {
  const clients = useEnrolledClients();
  return (
    <DataView
      state={clients.state}
      rows={clients.sorted}
      what="enrolled clients"
      empty="No computers are enrolled yet. Install the Client on a computer to enroll it."
    >
      {(list) => <GenerateForm list={list} />}
    </DataView>
  );
}

function GenerateForm({ list }: { list: AdminClient[] }) {
  const { values, errors, setErrors, set, edit, shown, reset } = useForm({ clientId: '', osUser: '', email: '', comment: '' });
  const { clientId, osUser, email, comment } = values;
  const seen = useClientOsUsers(clientId);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);

  const seenNames = clientId ? (seen.data ?? []) : [];
  const warning = osUserWarning(osUser, seenNames);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!clientId) found.clientId = 'Choose the computer.';
    if (!osUser.trim()) found.osUser = 'Enter the user logged on to the computer, e.g. CORP\\jdoe.';
    if (!isValidEmail(email.trim())) found.email = 'Enter one valid email address.';
    setErrors(found);
    setNotice(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await generatePassword({
        clientId,
        osUser: osUser.trim(),
        email: email.trim(),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      const computer = list.find((c) => c.clientId === clientId)?.computerName ?? 'the computer';
      setNotice({
        text: `A one-time password for ${osUser.trim()} on ${computer} was emailed to ${email.trim()}. It expires ${formatTime(result.expiresAt)}.`,
        ok: true,
      });
      reset({ osUser: '', email: '', comment: '' });
    } catch (err) {
      setNotice({ text: errorMessage(err), ok: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p class="lead">Issue a one-time password without a request, for example when a user calls the helpdesk. It is emailed at once.</p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      <form class="card form" onSubmit={submit} noValidate>
        <ClientSelect
          id="gen-client"
          label="Client"
          clients={list}
          {...shown('clientId')}
          unavailable={(c) => (c.allowOneTimePasswords ? undefined : 'one-time passwords not allowed')}
          onChange={edit('clientId')}
        />
        <Field
          id="gen-user"
          label="User"
          hint="The account logged on to the computer, exactly as the computer reports it: DOMAIN\name for a domain account."
          error={errors.osUser}
        >
          <input
            {...described('gen-user', 'hint', errors.osUser)}
            aria-describedby={['gen-user-hint', errors.osUser ? 'gen-user-error' : '', warning ? 'gen-user-warning' : '']
              .filter(Boolean)
              .join(' ')}
            value={osUser}
            maxLength={maxLengthOf(OsUserSchema)}
            autoComplete="off"
            onInput={edit('osUser')}
          />
        </Field>
        {(seenNames.length > 0 || warning) && (
          <div class="os-user-extra">
            {warning && (
              <span class="field-warning" id="gen-user-warning">
                {warning}
              </span>
            )}
            {seenNames.length > 0 && (
              <div class="os-user-hints" role="group" aria-labelledby="gen-user-seen">
                <span id="gen-user-seen">Seen on this computer:</span>
                {seenNames.map((u) => (
                  <button
                    key={u.osUser}
                    type="button"
                    class="button-link"
                    aria-label={`Use ${u.osUser} as the user`}
                    onClick={() => set('osUser', u.osUser)}
                  >
                    {u.osUser}
                  </button>
                ))}
              </div>
            )}
          </div>
        )}
        <TextField
          id="gen-email"
          label="Email"
          type="email"
          hint="The one-time password is sent to this address."
          error={errors.email}
          value={email}
          maxLength={maxLengthOf(EmailSchema)}
          onInput={edit('email')}
        />
        <Field id="gen-comment" label="Comment" hint="Optional; kept in the audit log.">
          <textarea
            {...described('gen-comment', 'hint')}
            rows={2}
            maxLength={maxLengthOf(CommentSchema)}
            value={comment}
            onInput={edit('comment')}
          />
        </Field>
        <FormActions label="Generate Password" busyLabel="Generating…" busy={busy} />
      </form>
    </>
  );
}

import { useState } from 'preact/hooks';
import {
  CommentSchema,
  ListAccessRequestsQuerySchema,
  normaliseRequestReference,
  REQUEST_STATUSES,
  requestReference,
  type AccessRequest,
  type RequestStatus,
} from '@latchkey/contracts';
import { errorMessage } from '../data/errors';
import { useNow } from '../hooks';
import { decideRequest, useRequestByReference, useRequestsWithStatus, type PendingFeed } from '../data/access-requests';
import { formatRelative, formatRemaining } from '../format';
import { Notice } from '../components/states';
import { DataTable, DataView } from '../components/data-view';
import { Time } from '../components/time';
import { REQUEST_STATUS_WORDS, methodWords } from '../status-words';
import '../styles/access-requests.css';
import { maxLengthOf } from '../limits';

const PENDING_COLUMNS = ['Computer', 'User', 'Email', 'Method', 'Reference', 'Reason', 'Age', 'Time left', 'Decision'];
const PAST_COLUMNS = ['Computer', 'User', 'Email', 'Method', 'Reference', 'Status', 'Requested', 'Decided by', 'Comment'];
const DECISIONS = [
  { decision: 'approve', label: 'Approve', class: 'button-primary' },
  { decision: 'deny', label: 'Deny', class: 'button-danger' },
] as const;

function MethodTag({ method }: { method: string }) {
  if (method === 'emergency') {
    return (
      <strong class="tag tag-emergency" data-testid="emergency-mark">
        <span aria-hidden="true">⚠ </span>Emergency
      </strong>
    );
  }
  return <span class={`tag tag-${method}`}>{methodWords(method)}</span>;
}

/** The email with what the approver should know about it: one sentence per flag. */
function EmailCell({ request }: { request: AccessRequest }) {
  return (
    <td class="cell-wide">
      <span class="request-email">{request.email}</span>
      {request.flags.includes('new_email') && (
        <strong class="email-warning" data-testid="new-email-warning">
          New email: {request.osUser} has not used this address before. Check it with them before approving.
        </strong>
      )}
      {request.flags.includes('first_request') && (
        <span class="first-request" data-testid="first-request-note">
          First request: no earlier email to compare with.
        </span>
      )}
      {request.knownEmails.length > 0 && <span class="known-emails">Known emails: {request.knownEmails.join(', ')}</span>}
    </td>
  );
}

function PendingRow({ request, now, onDone }: { request: AccessRequest; now: number; onDone: (message: string, ok: boolean) => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const commentId = `comment-${request.requestId}`;

  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    try {
      await decideRequest(request.requestId, decision, comment.trim());
      onDone(
        decision === 'approve'
          ? `Approved the request of ${request.osUser} on ${request.computerName}: the one-time password was emailed to ${request.email}.`
          : `Denied the request of ${request.osUser} on ${request.computerName}.`,
        true,
      );
    } catch (err) {
      onDone(errorMessage(err), false);
      setBusy(false);
    }
  };

  return (
    <tr class={request.method === 'emergency' ? 'row-emergency' : undefined} data-testid="pending-request">
      <td>{request.computerName}</td>
      <td>{request.osUser}</td>
      <EmailCell request={request} />
      <td>
        <MethodTag method={request.method} />
      </td>
      <td class="mono">{requestReference(request.requestId)}</td>
      <td class="wrap">{request.reason ?? <span class="muted">—</span>}</td>
      <td title={new Date(request.createdAt).toLocaleString()}>{formatRelative(request.createdAt, now)}</td>
      <td>{formatRemaining(request.expiresAt, now)}</td>
      <td class="cell-actions">
        <div class="row-actions">
          <label class="sr-only" for={commentId}>
            Comment for {request.osUser} on {request.computerName}
          </label>
          <input
            id={commentId}
            class="comment-input"
            placeholder="Comment (optional)"
            maxLength={maxLengthOf(CommentSchema)}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          {DECISIONS.map((d) => (
            <button
              key={d.decision}
              type="button"
              class={d.class}
              disabled={busy}
              aria-label={`${d.label} request from ${request.osUser} on ${request.computerName}`}
              onClick={() => decide(d.decision)}
            >
              {d.label}
            </button>
          ))}
        </div>
      </td>
    </tr>
  );
}

function PastRow({ request: r, now }: { request: AccessRequest; now: number }) {
  return (
    <tr>
      <td>{r.computerName}</td>
      <td>{r.osUser}</td>
      <td class="cell-wide">{r.email}</td>
      <td>
        <MethodTag method={r.method} />
      </td>
      <td class="mono">{requestReference(r.requestId)}</td>
      <td>
        <span class={`tag tag-${r.status}`}>{REQUEST_STATUS_WORDS[r.status]}</span>
      </td>
      <td>
        <Time ms={r.createdAt} now={now} />
      </td>
      <td>{r.decidedBy ?? <span class="muted">—</span>}</td>
      <td class="wrap">{r.comment ?? <span class="muted">—</span>}</td>
    </tr>
  );
}

/** The helpdesk types the reference the user reads from the lock; the request shows with its actions. */
function ReferenceSearch({ onDone, refreshKey }: { onDone: (message: string, ok: boolean) => void; refreshKey: number }) {
  const [typed, setTyped] = useState('');
  const [reference, setReference] = useState<string | undefined>(undefined);
  const [invalid, setInvalid] = useState(false);
  const now = useNow(10_000);
  const found = useRequestByReference(reference, refreshKey);

  const search = (event: Event) => {
    event.preventDefault();
    const normalised = normaliseRequestReference(typed);
    setInvalid(normalised === null && typed.trim() !== '');
    setReference(normalised ?? undefined);
  };

  return (
    <section aria-labelledby="reference-title">
      <h2 id="reference-title">Find a request by reference</h2>
      <form class="toolbar" role="search" onSubmit={search} noValidate>
        <label class="inline-field" for="reference-input">
          Reference
        </label>
        <input
          id="reference-input"
          class="code-input"
          placeholder="K7QF-2M9X"
          maxLength={maxLengthOf(ListAccessRequestsQuerySchema.properties.reference)}
          value={typed}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={invalid ? 'reference-error' : 'reference-hint'}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="button-secondary">
          Find
        </button>
        {reference && (
          <button
            type="button"
            class="button-link"
            onClick={() => {
              setTyped('');
              setReference(undefined);
            }}
          >
            Clear
          </button>
        )}
      </form>
      {invalid ? (
        <p id="reference-error" class="field-error" role="alert">
          A reference is 8 letters and digits, like K7QF-2M9X.
        </p>
      ) : (
        <p id="reference-hint" class="hint">
          The lock shows it beside the user's request; case, spaces and the dash do not matter.
        </p>
      )}
      {reference && (
        <DataView state={found} rows={found.data} what="the request" empty={`No request has the reference ${reference}.`}>
          {(rows) => (
            <DataTable label={`Request ${reference}`} columns={rows[0]?.status === 'pending' ? PENDING_COLUMNS : PAST_COLUMNS}>
              {rows.map((r) =>
                r.status === 'pending' ? (
                  <PendingRow key={r.requestId} request={r} now={now} onDone={onDone} />
                ) : (
                  <PastRow key={r.requestId} request={r} now={now} />
                ),
              )}
            </DataTable>
          )}
        </DataView>
      )}
    </section>
  );
}

function PastRequests({ refreshKey }: { refreshKey: number }) {
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const now = useNow();
  const past = useRequestsWithStatus(status, refreshKey);
  const rows = (past.data ?? []).filter((r) => status === 'pending' || r.status !== 'pending');

  return (
    <section aria-labelledby="past-title">
      <div class="section-head">
        <h2 id="past-title">Past requests</h2>
        <div class="inline-field">
          <label for="past-status">Status</label>
          <select id="past-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as RequestStatus | '')}>
            <option value="">All decided</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {REQUEST_STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <DataView state={past} rows={rows} what="past requests" empty="No requests with this status.">
        {(shown) => (
          <DataTable label="Past access requests" columns={PAST_COLUMNS}>
            {shown.map((r) => (
              <PastRow key={r.requestId} request={r} now={now} />
            ))}
          </DataTable>
        )}
      </DataView>
    </section>
  );
}

export function AccessRequestsPage({ pending }: { pending: PendingFeed }) {
  const now = useNow(10_000);
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | undefined>(undefined);
  const [refreshKey, setRefreshKey] = useState(0);

  const done = (text: string, ok: boolean) => {
    setNotice({ text, ok });
    pending.reload();
    setRefreshKey((k) => k + 1);
  };

  return (
    <>
      <p class="lead">Requests from locked computers waiting for a decision. Approving emails the one-time password at once.</p>
      {notice && <Notice kind={notice.ok ? 'success' : 'error'}>{notice.text}</Notice>}
      <section aria-labelledby="pending-title">
        <h2 id="pending-title">Pending{pending.total !== undefined ? ` (${pending.total})` : ''}</h2>
        {pending.requests && pending.requests.length > 0 && (
          <p class="muted">
            Newest first.
            {pending.total !== undefined && pending.total > pending.requests.length
              ? ` Showing the newest ${pending.requests.length} of ${pending.total}.`
              : ''}
          </p>
        )}
        {pending.error !== undefined && pending.requests && (
          <p class="notice notice-error" role="alert">
            Could not refresh the list: {errorMessage(pending.error)} It is retried every few seconds.
          </p>
        )}
        <DataView
          state={{ data: pending.requests, error: pending.error, loading: pending.loading, reload: pending.reload }}
          rows={pending.requests}
          what="access requests"
          empty="No pending access requests. New ones appear here by themselves."
          keepRowsOnError
        >
          {(requests) => (
            <DataTable label="Pending access requests" columns={PENDING_COLUMNS}>
              {requests.map((r) => (
                <PendingRow key={r.requestId} request={r} now={now} onDone={done} />
              ))}
            </DataTable>
          )}
        </DataView>
      </section>
      <ReferenceSearch onDone={done} refreshKey={refreshKey} />
      <PastRequests refreshKey={refreshKey} />
    </>
  );
}

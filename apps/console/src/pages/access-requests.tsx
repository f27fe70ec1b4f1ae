import { useState } from 'preact/hooks';
import { REQUEST_STATUSES, routes, type AccessRequest, type RequestStatus } from '@latchkey/contracts';
import { api, errorMessage } from '../api';
import { useNow } from '../hooks';
import { useAsync } from '../data/use-async';
import { formatRelative, formatRemaining } from '../format';
import { Notice } from '../components/states';
import { DataTable, DataView } from '../components/data-view';
import { Time } from '../components/time';
import type { PendingFeed } from '../session';

const PENDING_COLUMNS = ['Computer', 'User', 'Email', 'Method', 'Reason', 'Age', 'Time left', 'Decision'];
const PAST_COLUMNS = ['Computer', 'User', 'Email', 'Method', 'Status', 'Requested', 'Decided by', 'Comment'];
const DECISIONS = [
  { decision: 'approve', label: 'Approve', class: 'button-primary' },
  { decision: 'deny', label: 'Deny', class: 'button-danger' },
] as const;
const METHOD_LABEL: Record<string, string> = { email: 'email', emergency: 'emergency', directory: 'directory', internal: 'internal' };

function PendingRow({ request, now, onDone }: { request: AccessRequest; now: number; onDone: (message: string, ok: boolean) => void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const commentId = `comment-${request.requestId}`;

  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    const route = decision === 'approve' ? routes.approveAccessRequest : routes.denyAccessRequest;
    const body = comment.trim() ? { comment: comment.trim() } : {};
    try {
      await api(route, { params: { requestId: request.requestId }, body });
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
    <tr>
      <td>{request.computerName}</td>
      <td>{request.osUser}</td>
      <td>
        {request.email}
        {request.flags.includes('new_email') && (
          <strong class="email-warning" data-testid="new-email-warning">
            Warning: new email. {request.osUser} has not used this address before. Check it with them before approving.
          </strong>
        )}
        <span class="known-emails">Known emails: {request.knownEmails.length > 0 ? request.knownEmails.join(', ') : 'none'}</span>
      </td>
      <td>
        <span class={`tag tag-${request.method}`}>{METHOD_LABEL[request.method] ?? request.method}</span>
      </td>
      <td class="wrap">{request.reason ?? <span class="muted">—</span>}</td>
      <td title={new Date(request.createdAt).toLocaleString()}>{formatRelative(request.createdAt, now)}</td>
      <td>{formatRemaining(request.expiresAt, now)}</td>
      <td>
        <div class="row-actions">
          <label class="sr-only" for={commentId}>
            Comment for {request.osUser} on {request.computerName}
          </label>
          <input
            id={commentId}
            class="comment-input"
            placeholder="Comment (optional)"
            maxLength={500}
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

function PastRequests({ refreshKey }: { refreshKey: number }) {
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const now = useNow();
  const past = useAsync(
    (signal) => api(routes.listAccessRequests, { query: { ...(status ? { status } : {}), limit: '200' } }, signal),
    [status, refreshKey],
  );
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
                {s}
              </option>
            ))}
          </select>
        </div>
      </div>
      <DataView state={past} rows={rows} what="past requests" empty="No requests with this status.">
        {(shown) => (
          <DataTable label="Past access requests" columns={PAST_COLUMNS}>
            {shown.map((r) => (
              <tr key={r.requestId}>
                <td>{r.computerName}</td>
                <td>{r.osUser}</td>
                <td>{r.email}</td>
                <td>{r.method}</td>
                <td>
                  <span class={`tag tag-${r.status}`}>{r.status}</span>
                </td>
                <td>
                  <Time ms={r.createdAt} now={now} />
                </td>
                <td>{r.decidedBy ?? <span class="muted">—</span>}</td>
                <td class="wrap">{r.comment ?? <span class="muted">—</span>}</td>
              </tr>
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
      <PastRequests refreshKey={refreshKey} />
    </>
  );
}

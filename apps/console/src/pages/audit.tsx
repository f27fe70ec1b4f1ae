import { useState } from 'preact/hooks';
import { routes } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync, useNow } from '../hooks';
import { fromLocalInput } from '../format';
import { Empty, ErrorState, Loading } from '../components/states';
import { Time } from '../components/time';

/** Event types the server records (matched exactly by the server's filter). */
const EVENT_TYPES = [
  'access_request.approved',
  'access_request.denied',
  'admin.login',
  'admin.login_failed',
  'admin.logout',
  'client.changed',
  'client.enroll_failed',
  'client.enrolled',
  'directory.lookup',
  'internal_user.lookup',
  'otp.generated',
  'otp.issued',
  'otp.lock_cleared',
  'otp.resent',
  'otp.verified',
  'otp.verify_failed',
  'otp.verify_locked',
  'session.ended',
  'settings.changed',
  'user.changed',
  'user.created',
  'user.deleted',
];

interface Filters {
  type: string;
  computer: string;
  user: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { type: '', computer: '', user: '', from: '', to: '' };

export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [rangeError, setRangeError] = useState<string | undefined>(undefined);
  const now = useNow();

  const events = useAsync(() => {
    const since = fromLocalInput(applied.from);
    const until = fromLocalInput(applied.to);
    return api(routes.listAudit, {
      query: {
        limit: '500',
        ...(applied.type ? { type: applied.type } : {}),
        ...(applied.computer.trim() ? { computer: applied.computer.trim() } : {}),
        ...(applied.user.trim() ? { user: applied.user.trim() } : {}),
        ...(since !== undefined ? { since: String(since) } : {}),
        ...(until !== undefined ? { until: String(until) } : {}),
      },
    });
  }, [applied]);

  const set = (key: keyof Filters, value: string) => setDraft({ ...draft, [key]: value });
  const apply = (event: Event) => {
    event.preventDefault();
    const since = fromLocalInput(draft.from);
    const until = fromLocalInput(draft.to);
    if (since !== undefined && until !== undefined && since > until) {
      setRangeError('“From” must be before “To”.');
      return;
    }
    setRangeError(undefined);
    setApplied(draft);
  };
  const filtered = Object.values(applied).some((v) => v !== '');

  return (
    <>
      <p class="lead">Everything that happened, newest first. One-time passwords and passwords never appear here.</p>
      <form class="card filters" onSubmit={apply} noValidate aria-label="Audit filters">
        <label class="field">
          <span>Event type</span>
          <select value={draft.type} onChange={(e) => set('type', e.currentTarget.value)}>
            <option value="">All types</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Computer</span>
          <input value={draft.computer} maxLength={255} onInput={(e) => set('computer', e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>User</span>
          <input value={draft.user} maxLength={256} placeholder="user, email or actor" onInput={(e) => set('user', e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>From</span>
          <input type="datetime-local" value={draft.from} onInput={(e) => set('from', e.currentTarget.value)} aria-invalid={rangeError ? true : undefined} />
        </label>
        <label class="field">
          <span>To</span>
          <input type="datetime-local" value={draft.to} onInput={(e) => set('to', e.currentTarget.value)} aria-invalid={rangeError ? true : undefined} />
        </label>
        <div class="filter-actions">
          <button type="submit" class="button-primary">
            Apply filters
          </button>
          <button
            type="button"
            class="button-link"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
              setRangeError(undefined);
            }}
          >
            Clear filters
          </button>
        </div>
        {rangeError && (
          <p class="field-error" role="alert">
            {rangeError}
          </p>
        )}
      </form>
      {events.loading && !events.data ? (
        <Loading what="audit events" />
      ) : events.error ? (
        <ErrorState error={events.error} onRetry={events.reload} />
      ) : !events.data || events.data.length === 0 ? (
        <Empty>{filtered ? 'No events match these filters.' : 'No events yet.'}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">Computer</th>
                <th scope="col">User</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Time ms={e.at} now={now} />
                  </td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>{e.actor ?? <span class="muted">—</span>}</td>
                  <td>{e.computerName ?? <span class="muted">—</span>}</td>
                  <td>{e.osUser || e.email ? [e.osUser, e.email ? `(${e.email})` : ''].filter(Boolean).join(' ') : <span class="muted">—</span>}</td>
                  <td class="wrap">{e.detail ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

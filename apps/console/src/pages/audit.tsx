import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { AUDIT_EVENT_TYPES, ListAuditQuerySchema } from '@latchkey/contracts';
import { useNow } from '../hooks';
import { useAuditEvents, type AuditFilters } from '../data/audit';
import { fromLocalInput } from '../format';
import { DataTable, DataView } from '../components/data-view';
import { Time } from '../components/time';
import { auditDetailWords, auditWords } from '../audit-words';
import '../styles/audit.css';
import { maxLengthOf } from '../limits';

const COLUMNS = ['Time', 'Event', 'By', 'Computer', 'User', 'Detail'];
const NO_FILTERS: AuditFilters = { type: '', computer: '', user: '', from: '', to: '' };

/** One filter: a labelled input; `onValue` gets what was typed. */
function FilterInput({
  label,
  invalid,
  onValue,
  ...input
}: Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput'> & {
  id: string;
  label: string;
  invalid?: boolean;
  onValue: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={input.id}>{label}</label>
      <input {...input} onInput={(e) => onValue(e.currentTarget.value)} aria-invalid={invalid ? true : undefined} />
    </div>
  );
}

export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [rangeError, setRangeError] = useState<string | undefined>(undefined);
  const now = useNow();

  const events = useAuditEvents(applied);

  const set = (key: keyof AuditFilters, value: string) => setDraft({ ...draft, [key]: value });
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
  // The contract's types, plus any an answer holds that this console does not know (a newer server).
  const eventTypes = [...new Set<string>([...AUDIT_EVENT_TYPES, ...(events.data ?? []).map((e) => e.type)])].sort((a, b) =>
    auditWords(a).localeCompare(auditWords(b)),
  );

  return (
    <>
      <p class="lead">Everything that happened, newest first. One-time passwords and passwords never appear here.</p>
      <form class="card filters" onSubmit={apply} noValidate aria-label="Audit filters">
        <div class="field">
          <label for="audit-event-type">Event type</label>
          <select id="audit-event-type" value={draft.type} onChange={(e) => set('type', e.currentTarget.value)}>
            <option value="">All types</option>
            {eventTypes.map((t) => (
              <option key={t} value={t}>
                {auditWords(t)} ({t})
              </option>
            ))}
          </select>
        </div>
        <FilterInput
          id="audit-computer"
          label="Computer"
          value={draft.computer}
          maxLength={maxLengthOf(ListAuditQuerySchema.properties.computer)}
          onValue={(v) => set('computer', v)}
        />
        <FilterInput
          id="audit-user"
          label="User"
          value={draft.user}
          maxLength={maxLengthOf(ListAuditQuerySchema.properties.user)}
          placeholder="user, email or actor"
          onValue={(v) => set('user', v)}
        />
        {(['from', 'to'] as const).map((key) => (
          <FilterInput
            key={key}
            id={`audit-${key}`}
            label={key === 'from' ? 'From' : 'To'}
            type="datetime-local"
            value={draft[key]}
            invalid={rangeError !== undefined}
            onValue={(v) => set(key, v)}
          />
        ))}
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
      <DataView
        state={events}
        rows={events.data}
        what="audit events"
        empty={filtered ? 'No events match these filters.' : 'No events yet.'}
      >
        {(rows) => (
          <DataTable label="Audit events, newest first" columns={COLUMNS}>
            {rows.map((e) => (
              <tr key={e.id}>
                <td>
                  <Time ms={e.at} now={now} />
                </td>
                <td>
                  <span class="event-words">{auditWords(e.type)}</span>
                  <code class="event-code">{e.type}</code>
                </td>
                <td>{e.actor ?? <span class="muted">—</span>}</td>
                <td>{e.computerName ?? <span class="muted">—</span>}</td>
                <td>
                  {e.osUser || e.email ? [e.osUser, e.email ? `(${e.email})` : ''].filter(Boolean).join(' ') : <span class="muted">—</span>}
                </td>
                <td class="wrap cell-beside">{e.detail ? auditDetailWords(e.type, e.detail) : <span class="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </DataView>
    </>
  );
}

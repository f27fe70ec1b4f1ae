import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ListSessionsQuerySchema, NOT_RESPONDING_AFTER_MS } from '@latchkey/contracts';
import { useNow } from '../hooks';
import { useSessionPage } from '../data/sessions';
import { DataTable, DataView } from '../components/data-view';
import { Time } from '../components/time';
import { SessionTimeline } from '../components/session-timeline';
import { SESSION_STATE_WORDS, methodWords } from '../status-words';
import { maxLengthOf } from '../limits';

const COLUMNS = ['Computer', 'User Name', 'Started', 'Last seen', 'State or end', 'Via', 'Activity'];

export function SessionsPage() {
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const now = useNow();
  const result = useSessionPage(q, page);

  const search = (event: Event) => {
    event.preventDefault();
    setPage(0);
    setQ(draft.trim());
  };

  return (
    <>
      <p class="lead">
        Who unlocked which computer with a one-time password, and what happened in the session (Timeline). Open sessions are listed first;
        one whose computer has not been heard from for {NOT_RESPONDING_AFTER_MS / 60_000} minutes is “Not responding”.
      </p>
      <form class="toolbar" role="search" onSubmit={search}>
        <label class="inline-field">
          <span>Search</span>
          <input
            type="search"
            value={draft}
            placeholder="Computer, user or email"
            maxLength={maxLengthOf(ListSessionsQuerySchema.properties.q)}
            onInput={(e) => setDraft(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="button-secondary">
          Search
        </button>
        {q && (
          <button
            type="button"
            class="button-link"
            onClick={() => {
              setDraft('');
              setQ('');
              setPage(0);
            }}
          >
            Clear search
          </button>
        )}
      </form>
      <DataView
        state={result}
        rows={result.data?.rows}
        what="sessions"
        empty={q ? `No sessions match “${q}”.` : 'No sessions yet. They appear when someone unlocks a computer with a one-time password.'}
      >
        {(shown) => (
          <>
            <DataTable label={`Client sessions, page ${page + 1}`} columns={COLUMNS}>
              {shown.map((s) => {
                const panelId = `timeline-${s.sessionId}`;
                const expanded = open === s.sessionId;
                return (
                  <Fragment key={s.sessionId}>
                    <tr class={s.state === 'active' ? 'row-active' : undefined}>
                      <td>{s.computerName}</td>
                      <td>{s.userName}</td>
                      <td>
                        <Time ms={s.startedAt} now={now} />
                      </td>
                      <td>
                        <Time ms={s.lastSeenAt} now={now} />
                      </td>
                      <td>
                        {s.state === 'ended' ? (
                          <Time ms={s.endedAt} now={now} />
                        ) : (
                          <span class={`tag tag-${s.state === 'active' ? 'active' : 'warning'}`}>{SESSION_STATE_WORDS[s.state]}</span>
                        )}
                      </td>
                      <td>
                        <span class={`tag tag-${s.via}`}>{methodWords(s.via)}</span>
                      </td>
                      <td class="cell-actions">
                        <button
                          type="button"
                          class="button-secondary"
                          aria-expanded={expanded}
                          aria-controls={expanded ? panelId : undefined}
                          aria-label={`${expanded ? 'Hide' : 'Show'} timeline of ${s.osUser} on ${s.computerName}`}
                          onClick={() => setOpen(expanded ? undefined : s.sessionId)}
                        >
                          {expanded ? 'Hide timeline' : 'Timeline'}
                        </button>
                      </td>
                    </tr>
                    {expanded && (
                      <tr class="timeline-row">
                        <td colSpan={7}>
                          <SessionTimeline session={s} id={panelId} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </DataTable>
            <nav class="pager" aria-label="Pages of sessions">
              <button type="button" class="button-secondary" disabled={page === 0} onClick={() => setPage((p) => Math.max(0, p - 1))}>
                Previous
              </button>
              <span aria-live="polite">Page {page + 1}</span>
              <button type="button" class="button-secondary" disabled={!result.data?.hasNext} onClick={() => setPage((p) => p + 1)}>
                Next
              </button>
            </nav>
          </>
        )}
      </DataView>
    </>
  );
}

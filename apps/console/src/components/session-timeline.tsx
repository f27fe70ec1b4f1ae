import type { AdminSession } from '@latchkey/contracts';
import { useSessionEvents } from '../data/sessions';
import { ACTIVITY_WORDS, activityTotals, formatDuration } from '../activity';
import { formatTime } from '../format';
import { Empty, ErrorState, Loading } from './states';
import '../styles/sessions.css';

const clockTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** One session's activity as its Client recorded it, oldest first, with active and idle totals. */
export function SessionTimeline({ session, id }: { session: AdminSession; id: string }) {
  const events = useSessionEvents(session.sessionId);
  const label = `Activity of ${session.osUser} on ${session.computerName}`;
  if (events.loading && !events.data) return <Loading what="the activity" />;
  if (events.error) return <ErrorState error={events.error} onRetry={events.reload} />;
  const list = events.data ?? [];
  const endAt = session.endedAt ?? Math.max(session.lastSeenAt, ...list.map((e) => e.at));
  const totals = activityTotals(list, session.startedAt, endAt);
  return (
    <section id={id} aria-label={label} class="timeline-panel">
      <dl class="timeline-totals">
        <div>
          <dt>Active</dt>
          <dd data-testid="active-total">{formatDuration(totals.activeMs)}</dd>
        </div>
        <div>
          <dt>Idle</dt>
          <dd data-testid="idle-total">{formatDuration(totals.idleMs)}</dd>
        </div>
        <div>
          <dt>{session.endedAt === null ? 'Counted until' : 'Ended'}</dt>
          <dd>{formatTime(endAt)}</dd>
        </div>
      </dl>
      {list.length === 0 ? (
        <Empty>No activity recorded yet. The Client sends it in batches, within a minute or so.</Empty>
      ) : (
        <ol class="timeline" aria-label={label}>
          {list.map((e) => (
            <li key={`${e.at}-${e.type}`}>
              <time dateTime={new Date(e.at).toISOString()} title={formatTime(e.at)}>
                {clockTime.format(new Date(e.at))}
              </time>
              <span title={e.type}>{ACTIVITY_WORDS[e.type]}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

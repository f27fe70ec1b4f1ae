import { routes, type AuditEvent, type RouteInput } from '@latchkey/contracts';
import { api } from '../api';
import { fromLocalInput } from '../format';
import { useAsync } from './use-async';

/** The audit filters as typed: `from` and `to` are `datetime-local` values; empty means no filter. */
export interface AuditFilters {
  type: string;
  computer: string;
  user: string;
  from: string;
  to: string;
}

const AUDIT_LIMIT = 500;

type AuditQuery = NonNullable<RouteInput<typeof routes.listAudit>['query']>;

/**
 * What to ask the server for `filters`, and the time (`since`) before which the answer's rows are
 * dropped here: the contract's `since` accepts at most 9 digits, too few for a millisecond timestamp.
 * With newest-first answers bounded by `until`, dropping the older rows gives exactly what the server
 * would have answered.
 */
export function auditQuery(filters: AuditFilters): { query: AuditQuery; since: number | undefined } {
  const to = fromLocalInput(filters.to);
  // The inputs have minute precision: "To 10:15" includes everything up to 10:15:59.999.
  const until = to === undefined ? undefined : to + 59_999;
  const query = {
    limit: String(AUDIT_LIMIT),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.computer.trim() ? { computer: filters.computer.trim() } : {}),
    ...(filters.user.trim() ? { user: filters.user.trim() } : {}),
    ...(until !== undefined ? { until: String(until) } : {}),
  };
  return { query, since: fromLocalInput(filters.from) };
}

/** The newest audit events matching `filters`; loads again when another filters object is given. */
export function useAuditEvents(filters: AuditFilters) {
  return useAsync(
    async (signal): Promise<AuditEvent[]> => {
      const { query, since } = auditQuery(filters);
      const rows = await api(routes.listAudit, { query }, signal);
      return since === undefined ? rows : rows.filter((row) => row.at >= since);
    },
    [filters],
  );
}

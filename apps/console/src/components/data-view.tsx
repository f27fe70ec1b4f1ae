import type { ComponentChildren } from 'preact';
import { Empty, ErrorState, Loading } from './states';

/** What a data hook gives a view: the last answer, the last error, and whether a load runs. */
export interface Loadable {
  data: unknown;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * The four states of a list from the server: loading (the first time only; a reload keeps the rows on
 * screen), failed (with Try again), empty, or the rows. `keepRowsOnError` keeps showing the rows when a
 * reload fails (the page says so itself).
 */
export function DataView<Row>({
  state,
  rows,
  what,
  empty,
  keepRowsOnError = false,
  children,
}: {
  state: Loadable;
  rows: Row[] | undefined;
  /** "Loading {what}…" */
  what: string;
  empty: ComponentChildren;
  keepRowsOnError?: boolean;
  children: (rows: Row[]) => ComponentChildren;
}) {
  const hasData = state.data !== undefined;
  if (state.loading && !hasData) return <Loading what={what} />;
  if (state.error && !(keepRowsOnError && hasData)) return <ErrorState error={state.error} onRetry={state.reload} />;
  if (!rows || rows.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(rows)}</>;
}

/**
 * A table with a hidden caption, in a wrapper that scrolls sideways; the wrapper is a labelled,
 * focusable region (so the keyboard can scroll it) unless `region` is false.
 */
export function DataTable({
  label,
  columns,
  region = true,
  children,
}: {
  label: string;
  /** Column headings; `false` leaves a column out. */
  columns: (string | false)[];
  region?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap" tabIndex={region ? 0 : undefined} role={region ? 'region' : undefined} aria-label={region ? label : undefined}>
      <table>
        <caption class="sr-only">{label}</caption>
        <thead>
          <tr>
            {columns.map(
              (name) =>
                name !== false && (
                  <th key={name} scope="col">
                    {name}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Empty, ErrorState, Loading } from './states';
import '../styles/tables.css';

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
 * A table with a hidden caption. From about 1280 px wide it is a table; below, each row is a card
 * (styles/tables.css): every cell shows its column's name (`data-label`, set here from `columns`), the
 * row's first cell (what the row is about) comes first and the cell marked `class="cell-actions"`
 * (or `cell-beside`, which keeps its column name) sits beside it, so nothing needs sideways scrolling at 1024 px or at 200 % zoom. The wrapper is a
 * labelled, focusable region (so the keyboard can scroll a wide table) unless `region` is false.
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
  const tableRef = useRef<HTMLTableElement>(null);
  const names = columns.filter((name): name is string => name !== false);
  // Rows render themselves (their own state), so the labels are set on the cells after each render
  // of the table, which is when rows come and go.
  useLayoutEffect(() => {
    for (const row of tableRef.current?.tBodies[0]?.rows ?? []) {
      [...row.cells].forEach((cell, i) => {
        if (cell.colSpan === 1 && names[i] !== undefined) cell.dataset.label = names[i];
      });
    }
  });
  return (
    <div class="table-wrap" tabIndex={region ? 0 : undefined} role={region ? 'region' : undefined} aria-label={region ? label : undefined}>
      <table class="data-table" ref={tableRef}>
        <caption class="sr-only">{label}</caption>
        <thead>
          <tr>
            {names.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

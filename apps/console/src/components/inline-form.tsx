import type { ComponentChildren } from 'preact';

/** Closes an inline form; the caller puts focus back on the button that opened it. */
export function CancelButton({ onCancel }: { onCancel: () => void }) {
  return (
    <button type="button" class="button-link" onClick={onCancel}>
      Cancel
    </button>
  );
}

/** A small form inside a table row: its fields, then the submit button and Cancel. */
export function InlineForm({
  onSubmit,
  submitLabel,
  busy,
  onCancel,
  children,
}: {
  onSubmit: (event: Event) => void;
  submitLabel: string;
  busy: boolean;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <form class="inline-form" onSubmit={onSubmit} noValidate>
      {children}
      <button type="submit" class="button-primary" disabled={busy}>
        {submitLabel}
      </button>
      <CancelButton onCancel={onCancel} />
    </form>
  );
}

import type { ComponentChildren } from 'preact';

/** A form's submit button, disabled (and saying so, with `busyLabel`) while it runs, then any others. */
export function FormActions({
  label,
  busyLabel,
  busy,
  children,
}: {
  label: string;
  busyLabel?: string;
  busy: boolean;
  children?: ComponentChildren;
}) {
  return (
    <div class="form-actions">
      <button type="submit" class="button-primary" disabled={busy}>
        {busy && busyLabel ? busyLabel : label}
      </button>
      {children}
    </div>
  );
}

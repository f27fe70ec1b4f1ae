import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal confirmation on the native <dialog>: the browser moves focus into it, keeps Tab inside,
 * makes the page behind inert, and Escape cancels. Focus starts on Cancel (the safe choice); the
 * caller decides where focus goes once the dialog is gone.
 */
export function ConfirmDialog({
  id,
  title,
  children,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      <div class="form-actions">
        <button type="button" class="button-secondary" autoFocus onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="button-danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

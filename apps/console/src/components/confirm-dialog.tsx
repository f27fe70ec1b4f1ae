import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal question on the native <dialog>: the browser keeps Tab inside, makes the page behind
 * inert, and Escape cancels. Focus starts on Cancel for a destructive question (`danger`), on the
 * confirming button otherwise; on cancel it goes back to `returnFocus`, and after a confirmation the
 * caller decides where it goes.
 */
export function ConfirmDialog({
  id,
  title,
  children,
  confirmLabel,
  busy = false,
  danger = false,
  onConfirm,
  onCancel,
  returnFocus,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy?: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  returnFocus?: HTMLElement | null | undefined;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    (danger ? cancelRef : confirmRef).current?.focus();
    return () => dialog.close();
  }, []);
  const cancel = () => {
    if (busy) return;
    ref.current?.close();
    onCancel();
    returnFocus?.focus();
  };
  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        event.preventDefault();
        cancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      <div class="form-actions">
        {danger ? (
          <>
            <button ref={cancelRef} type="button" class="button-secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
            <button ref={confirmRef} type="button" class="button-danger" onClick={onConfirm} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </>
        ) : (
          <>
            <button ref={confirmRef} type="button" class="button-primary" onClick={onConfirm} disabled={busy}>
              {busy ? 'Working…' : confirmLabel}
            </button>
            <button ref={cancelRef} type="button" class="button-secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
          </>
        )}
      </div>
    </dialog>
  );
}

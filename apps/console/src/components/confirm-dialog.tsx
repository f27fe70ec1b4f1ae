import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal question (native <dialog>: focus stays inside, Escape cancels, the page behind is inert).
 * Focus starts on the confirming button and, on cancel, goes back to `returnFocus`.
 */
export function ConfirmDialog({
  id,
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  returnFocus,
  children,
}: {
  id: string;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  returnFocus?: HTMLElement | null | undefined;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    confirmRef.current?.focus();
  }, []);
  const cancel = () => {
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
      onCancel={(e) => {
        e.preventDefault();
        cancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      <div class="form-actions">
        <button ref={confirmRef} type="button" class="button-primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" class="button-secondary" onClick={cancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

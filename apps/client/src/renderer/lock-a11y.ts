import type { Notice } from '@latchkey/contracts';

/**
 * Keyboard and screen-reader rules of the lock's pop-ups: Tab stays inside the open dialog, focus
 * never falls to <body>, and a field a notice is about says so (aria-invalid, aria-describedby).
 */

const FOCUSABLE = 'input, button, textarea, select, [tabindex]:not([tabindex="-1"])';

export function focusables(popup: HTMLElement): HTMLElement[] {
  return [...popup.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest('[hidden]') && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
  );
}

/** Tab and Shift+Tab wrap around inside the dialog (the lock is modal: there is nothing behind it to reach). */
export function trapTab(popup: HTMLElement): void {
  popup.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = focusables(popup);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    const inside = active instanceof HTMLElement && popup.contains(active);
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  });
}

/** Where a notice points: the field it is about, keyed by notice code. */
export type FieldsByCode = Record<string, HTMLInputElement | undefined>;

/**
 * Marks the field a notice is about as invalid and ties the notice to it; every other field of the
 * pop-up is valid again and keeps only its own hint. Returns the invalid field, if any.
 */
export function markFieldError(
  fields: HTMLInputElement[],
  byCode: FieldsByCode,
  notice: Notice | undefined,
  noticeId: string,
): HTMLInputElement | undefined {
  const invalid = notice?.kind === 'error' ? byCode[notice.code] : undefined;
  for (const field of fields) {
    const own = (field.dataset.hint ?? '').trim();
    if (field === invalid) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', `${noticeId}${own ? ` ${own}` : ''}`);
    } else {
      field.removeAttribute('aria-invalid');
      if (own) field.setAttribute('aria-describedby', own);
      else field.removeAttribute('aria-describedby');
    }
  }
  return invalid;
}

/** Focus that fell out of the visible dialog (a button became disabled or hidden under it) goes back in. */
export function keepFocusIn(popup: HTMLElement | undefined, preferred: () => HTMLElement | undefined): void {
  if (!popup || popup.hidden) return;
  const active = document.activeElement;
  if (active instanceof HTMLElement && active !== document.body && popup.contains(active) && focusables(popup).includes(active)) return;
  if (active instanceof HTMLElement && active !== document.body && popup.contains(active) && active.tabIndex === -1) return;
  (preferred() ?? focusables(popup)[0])?.focus();
}

import type { Notice } from '@latchkey/contracts';

/** The few DOM helpers the lock window's pop-ups share. */

type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children);
  return el;
}

export function field(id: string, label: string, input: Attrs, hint?: string) {
  const control = h('input', { id, name: id, ...input, ...(hint ? { 'aria-describedby': `${id}-hint`, 'data-hint': `${id}-hint` } : {}) });
  const wrapper = h('div', { class: 'field' }, h('label', { for: id }, label), control);
  if (hint) wrapper.append(h('span', { id: `${id}-hint`, class: 'hint' }, hint));
  return { wrapper, control };
}

export function noticeBox(id: string) {
  return h('div', { id, class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
}

export function showNotice(box: HTMLElement, notice: Notice | undefined): void {
  const text = notice?.text ?? '';
  box.hidden = !notice;
  box.dataset.kind = notice?.kind ?? '';
  box.dataset.code = notice?.code ?? '';
  box.setAttribute('aria-live', notice?.kind === 'error' ? 'assertive' : 'polite');
  if (box.textContent !== text) box.textContent = text;
}

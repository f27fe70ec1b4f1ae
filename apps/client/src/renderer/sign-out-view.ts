import type { Words } from '../lock/messages.js';
import { h } from './dom.js';

/**
 * "Sign out" asks first: signing out of Windows closes the session's programs. The safe choice
 * ("Stay here") has the focus; Escape is the same as it, and focus returns to "Sign out".
 */
export function createSignOutConfirm(w: Words, actions: { confirm: () => void; close: () => void }) {
  const stay = h('button', { type: 'button', class: 'primary' }, w.t('signOut.cancel'));
  const yes = h('button', { type: 'button', id: 'sign-out-confirm' }, w.t('signOut.confirm'));
  const popup = h(
    'section',
    {
      class: 'popup',
      id: 'sign-out-popup',
      role: 'alertdialog',
      'aria-modal': 'true',
      'aria-labelledby': 'sign-out-title',
      'aria-describedby': 'sign-out-text',
      hidden: true,
    },
    h('h1', { id: 'sign-out-title' }, w.t('signOut.title')),
    h('p', { class: 'context', id: 'sign-out-text' }, w.t('signOut.text')),
    h('div', { class: 'actions' }, stay, yes),
  );
  const close = () => {
    if (popup.hidden) return;
    popup.hidden = true;
    actions.close();
  };
  stay.addEventListener('click', close);
  yes.addEventListener('click', () => {
    popup.hidden = true;
    actions.confirm();
  });
  popup.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  return {
    popup,
    open() {
      popup.hidden = false;
      stay.focus();
    },
    isOpen: () => !popup.hidden,
    /** The lock moved on (unlocked, another pop-up): the question is gone, without moving focus. */
    dismiss() {
      popup.hidden = true;
    },
  };
}

import { groupOfflineCode, type LockState } from '@latchkey/contracts';
import type { LatchkeyApi } from '../preload/bridge.js';
import type { Words } from '../lock/messages.js';
import { field, h, noticeBox, showNotice } from './dom.js';

/**
 * "Unlock with the helpdesk": the button the lock pop-up shows while the server cannot be reached,
 * and the pop-up with the computer name, the osUser and the challenge to read over the phone.
 */
export function mountOfflinePopup(api: LatchkeyApi, w: Words) {
  const { t } = w;
  const run = (action: () => Promise<unknown>) => void action().catch(() => undefined);
  const offerButton = h('button', { type: 'button', id: 'offline-offer', hidden: true }, t('offline.offer'));
  const computer = h('dd', { id: 'offline-computer' });
  const user = h('dd', { id: 'offline-user' });
  const challenge = h('dd', { id: 'offline-challenge', class: 'code' });
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, t('offline.computer')),
    computer,
    h('dt', {}, t('offline.user')),
    user,
    h('dt', {}, t('offline.challenge')),
    challenge,
  );
  const expiry = h('p', { class: 'hint', id: 'offline-expiry' });
  const response = field(
    'offline-response',
    t('offline.response'),
    { type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', maxlength: '16' },
    t('offline.responseHint'),
  );
  const unlockButton = h('button', { type: 'submit', class: 'primary' }, t('offline.unlock'));
  const back = h('button', { type: 'button', class: 'quiet' }, t('offline.back'));
  const helpdesk = h('p', { class: 'helpdesk', id: 'offline-helpdesk', hidden: true });
  const notice = noticeBox('offline-notice');
  const form = h('form', { novalidate: true }, response.wrapper, h('div', { class: 'actions' }, unlockButton, back));
  const popup = h(
    'section',
    {
      class: 'popup',
      id: 'offline-popup',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'offline-title',
      'aria-describedby': 'offline-intro',
      hidden: true,
    },
    h('h1', { id: 'offline-title' }, t('offline.title')),
    h('p', { class: 'context', id: 'offline-intro' }, t('offline.intro')),
    helpdesk,
    facts,
    expiry,
    notice,
    form,
  );

  offerButton.addEventListener('click', () => run(() => api.showOffline()));
  back.addEventListener('click', () => run(() => api.showLock()));
  popup.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      run(() => api.showLock());
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(() => api.offlineUnlock({ responseCode: response.control.value }));
  });

  let shownChallenge: string | undefined;

  function render(state: LockState, phaseLocked: boolean): void {
    const offer = state.offline;
    offerButton.hidden = !offer;
    popup.hidden = !(phaseLocked && state.popup === 'offline');
    computer.textContent = state.computerName ?? t('offline.thisComputer');
    helpdesk.hidden = !state.helpdeskContact;
    helpdesk.textContent = state.helpdeskContact ? t('lock.helpdesk', { contact: state.helpdeskContact }) : '';
    user.textContent = state.osUser;
    const code = offer?.challenge;
    challenge.textContent = code ? groupOfflineCode(code) : '—';
    // Read out character by character, the way it is said over the phone.
    if (code) challenge.setAttribute('aria-label', [...code].join(' '));
    else challenge.removeAttribute('aria-label');
    expiry.textContent = offer?.waitUntil
      ? t('offline.newAt', { time: w.time(offer.waitUntil) })
      : offer?.expiresAt
        ? t('offline.expiresAt', { time: w.time(offer.expiresAt), count: offer.attemptsLeft })
        : '';
    showNotice(notice, state.popup === 'offline' ? state.notice : undefined);
    const busy = state.busy === 'offline';
    unlockButton.disabled = busy || !code;
    response.control.disabled = !code;
    response.control.setAttribute(
      'aria-invalid',
      String(state.notice?.code === 'offline_wrong' || state.notice?.code === 'offline_format'),
    );
    popup.setAttribute('aria-busy', String(busy));
    if (code !== shownChallenge) {
      // A new challenge needs a new response: what was typed for the old one is of no use.
      shownChallenge = code;
      response.control.value = '';
    }
    if (state.notice?.code === 'offline_wrong' && document.activeElement === unlockButton) {
      response.control.select();
      response.control.focus();
    }
  }

  return {
    offerButton,
    popup,
    render,
    focus: () => (response.control.disabled ? back : response.control).focus(),
  };
}

import { requestReference, type LockState, type NoticeCode, type OtpRequestMethod } from '@latchkey/contracts';
import type { LatchkeyApi } from '../preload/bridge.js';
import { wordsFor, type Words } from '../lock/messages.js';
import { mountOfflinePopup } from './offline-view.js';
import { field, h, noticeBox, showNotice } from './dom.js';
import { focusables, keepFocusIn, markFieldError, trapTab } from './lock-a11y.js';
import { createFlowControls } from './lock-flow-view.js';
import { createSignOutConfirm } from './sign-out-view.js';

/**
 * The pop-ups. The DOM is built once, in the lock's language (the first state names it), and
 * updated from each state the controller publishes, so what a person typed and where the focus is
 * survive every update. Knows nothing but the bridge.
 */

/** Refusals after which the next useful control is emergency access, not Request again. */
const EMERGENCY_NEXT = new Set<NoticeCode>([
  'otp_interval',
  'directory_unavailable',
  'directory_user_not_found',
  'directory_user_no_mail',
  'directory_user_ambiguous',
  'directory_not_configured',
  'account_not_linked',
  'login_locked',
]);

export function mountLockView(root: HTMLElement, api: LatchkeyApi): void {
  let view: ((state: LockState) => void) | undefined;
  let heard = false;
  const show = (state: LockState) => {
    view ??= buildLockView(root, api, wordsFor(state.locale));
    view(state);
  };
  api.onStateChanged((next) => {
    heard = true;
    show(next);
  });
  api
    .getState()
    .then((first) => {
      if (!heard) show(first);
    })
    .catch(() => {
      // The bridge itself failed (main gone): the watchdog in main handles that.
    });
}

function buildLockView(root: HTMLElement, api: LatchkeyApi, w: Words): (state: LockState) => void {
  const { t } = w;
  document.documentElement.lang = w.locale;

  // ---- lock pop-up ----
  const lockEmail = field('lock-email', t('lock.email'), { type: 'email', autocomplete: 'email', spellcheck: 'false', maxlength: '254' });
  const lockOtp = field('lock-otp', t('lock.otp'), {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    spellcheck: 'false',
    maxlength: '16',
  });
  const wrongAddress = h(
    'button',
    { type: 'button', id: 'lock-wrong-address', class: 'link inline', hidden: true },
    t('lock.wrongAddress'),
  );
  lockOtp.wrapper.append(wrongAddress);
  const logIn = h('button', { type: 'submit', class: 'primary' }, t('lock.logIn'));
  const openRequest = h('button', { type: 'button', id: 'lock-open-request' }, t('lock.openRequest'));
  const lockResend = h('button', { type: 'button', id: 'lock-resend', hidden: true }, t('lock.resend'));
  const flow = createFlowControls(api, w);
  const retryNow = h('button', { type: 'button', hidden: true }, t('lock.tryAgainNow'));
  const signOut = h('button', { type: 'button', class: 'quiet', id: 'lock-sign-out' }, t('lock.signOut'));
  const offline = mountOfflinePopup(api, w);
  const lockNotice = noticeBox('lock-notice');
  const lockNoticeArea = h('div', { class: 'notice-area' }, lockNotice, flow.retryCountdown);
  const lockTitle = h('h1', { id: 'lock-title' }, t('lock.title'));
  const lockContext = h('p', { class: 'context', id: 'lock-context' });
  const helpdesk = h('p', { class: 'helpdesk', id: 'lock-helpdesk', hidden: true });
  const reference = h('dd', { id: 'lock-reference', class: 'code' });
  const referenceFacts = h('dl', { class: 'facts request-facts', hidden: true }, h('dt', {}, t('lock.reference')), reference);
  const referenceHint = h('p', { class: 'hint', id: 'lock-reference-hint', hidden: true }, t('lock.referenceHint'));
  const expiry = h('p', { class: 'hint', id: 'lock-expiry', hidden: true });
  const lockForm = h('form', { novalidate: true }, lockEmail.wrapper, lockOtp.wrapper, expiry, h('div', { class: 'actions' }, logIn));
  const lockPopup = h(
    'section',
    {
      class: 'popup',
      id: 'lock-popup',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'lock-title',
      'aria-describedby': 'lock-context',
    },
    lockTitle,
    lockContext,
    helpdesk,
    lockNoticeArea,
    referenceFacts,
    referenceHint,
    lockForm,
    h('div', { class: 'actions secondary' }, openRequest, flow.differentEmail, lockResend, retryNow, offline.offerButton, signOut),
  );
  const confirm = createSignOutConfirm(w, {
    confirm: () => run(() => api.signOut()),
    close: () => {
      lockPopup.hidden = false;
      signOut.focus();
    },
  });

  // ---- request pop-up ----
  const intro = h('p', { class: 'context', id: 'request-intro' });
  const login = field('request-login', t('request.login'), {
    type: 'text',
    autocomplete: 'username',
    spellcheck: 'false',
    maxlength: '64',
  });
  const password = field('request-password', t('request.password'), {
    type: 'password',
    autocomplete: 'current-password',
    maxlength: '256',
  });
  const emergencyBox = h('input', { type: 'checkbox', id: 'request-emergency', name: 'request-emergency' });
  const emergency = h('div', { class: 'field checkbox' }, emergencyBox, h('label', { for: 'request-emergency' }, t('request.emergency')));
  const requestEmail = field('request-email', t('request.email'), {
    type: 'email',
    autocomplete: 'email',
    spellcheck: 'false',
    maxlength: '254',
  });
  const reason = field('request-reason', t('request.reason'), { type: 'text', maxlength: '500' }, t('request.reasonHint'));
  const requestButton = h('button', { type: 'submit', class: 'primary' }, t('request.submit'));
  const cancel = h('button', { type: 'button', class: 'quiet' }, t('request.cancel'));
  const requestNotice = noticeBox('request-notice');
  const nextRequest = h('p', { class: 'hint', id: 'request-next', hidden: true });
  const requestResend = h('button', { type: 'button', id: 'request-resend', hidden: true }, t('lock.resend'));
  const requestForm = h(
    'form',
    { novalidate: true },
    login.wrapper,
    password.wrapper,
    emergency,
    requestEmail.wrapper,
    reason.wrapper,
    h('div', { class: 'actions' }, requestButton, cancel),
  );
  const requestPopup = h(
    'section',
    {
      class: 'popup',
      id: 'request-popup',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'request-title',
      'aria-describedby': 'request-intro',
      hidden: true,
    },
    h('h1', { id: 'request-title' }, t('request.title')),
    intro,
    h('div', { class: 'notice-area' }, requestNotice, nextRequest),
    h('div', { class: 'actions refusal' }, requestResend, flow.emergencyOffer),
    flow.switchMode,
    requestForm,
  );

  // ---- after the lock ----
  const unlockedTitle = h('h1', { id: 'unlocked-title', tabindex: '-1' }, t('unlocked.title'));
  const unlockedDetail = h('p', { class: 'context', id: 'unlocked-detail' });
  const unlocked = h(
    'section',
    { class: 'popup', id: 'unlocked', role: 'dialog', 'aria-labelledby': 'unlocked-title', hidden: true },
    unlockedTitle,
    unlockedDetail,
  );
  const signingOutTitle = h('h1', { id: 'signing-out-title', tabindex: '-1' }, t('signingOut.title'));
  const signingOut = h(
    'section',
    { class: 'popup', id: 'signing-out', role: 'dialog', 'aria-labelledby': 'signing-out-title', hidden: true },
    signingOutTitle,
  );

  root.replaceChildren(h('main', { class: 'backdrop' }, lockPopup, confirm.popup, requestPopup, offline.popup, unlocked, signingOut));
  for (const popup of [lockPopup, confirm.popup, requestPopup, offline.popup]) trapTab(popup);

  let state: LockState | undefined;
  let shownPopup: string | undefined;
  /** The control that opened the pop-up now showing: focus goes back to it when the pop-up closes. */
  let opener: HTMLElement | undefined;

  const run = (action: () => Promise<unknown>) => {
    action().catch(() => {
      // The controller reports every outcome through the state; a rejected call means the bridge
      // itself failed (main gone), and the watchdog in main handles that.
    });
  };

  lockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (state?.busy === 'verify') return;
    run(() => api.verify({ email: lockEmail.control.value, otp: lockOtp.control.value }));
  });
  openRequest.addEventListener('click', () => {
    opener = openRequest;
    // An address typed into the lock pop-up is the likely one to request with.
    if (!requestEmail.control.value && !lockEmail.control.readOnly) requestEmail.control.value = lockEmail.control.value.trim();
    run(() => api.showRequest());
  });
  offline.offerButton.addEventListener('click', () => (opener = offline.offerButton));
  const resend = () => {
    if (!state?.busy || state.busy === 'policy') run(() => api.resend());
  };
  lockResend.addEventListener('click', resend);
  requestResend.addEventListener('click', resend);
  wrongAddress.addEventListener('click', () => {
    if (!state?.busy) run(() => api.cancelRequest());
  });
  retryNow.addEventListener('click', () => run(() => api.retryNow()));
  signOut.addEventListener('click', () => {
    lockPopup.hidden = true;
    confirm.open();
  });
  cancel.addEventListener('click', () => run(() => api.showLock()));
  requestPopup.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      run(() => api.showLock());
    }
  });
  emergencyBox.addEventListener('change', () => {
    if (state) render(state);
    (emergencyBox.checked ? requestEmail.control : emergencyBox).focus();
  });
  flow.onEmergencyChosen(() => {
    emergencyBox.checked = true;
    if (state) render(state);
    requestEmail.control.focus();
  });
  flow.onModeSwitched(() => {
    if (state) render(state);
    focusRequestStart();
  });
  requestForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state || state.busy === 'request') return;
    const mode = flow.formMode(state);
    const method: OtpRequestMethod = !emergency.hidden && emergencyBox.checked ? 'emergency' : mode;
    if (method === 'email') run(() => api.requestOtp({ method, email: requestEmail.control.value }));
    else if (method === 'emergency') run(() => api.requestOtp({ method, email: requestEmail.control.value, reason: reason.control.value }));
    else if (method === 'internal') run(() => api.requestOtp({ method, login: login.control.value, password: password.control.value }));
    else run(() => api.requestOtp({ method }));
  });

  function focusFirst(popup: HTMLElement) {
    const target = focusables(popup).find((el) => !(el as HTMLInputElement).readOnly);
    target?.focus();
  }

  /** The request pop-up starts at its first text field; with none (directory mode) at Request, not the emergency checkbox. */
  function focusRequestStart() {
    const text = focusables(requestPopup).find((el) => el instanceof HTMLInputElement && el.type !== 'checkbox' && !el.readOnly);
    (text ?? requestButton).focus();
  }

  const visible = (el: HTMLElement) => !el.hidden && !el.closest('[hidden]');

  /** Where the lock pop-up's focus belongs for a state: the code field only while a sent code waits for it. */
  function lockFocusTarget(next: LockState, relocked = false): HTMLElement {
    if (next.request?.status === 'sent' && next.canResend) return lockOtp.control;
    if (next.email || next.request || relocked) return openRequest.disabled ? signOut : openRequest;
    return lockEmail.control;
  }

  /** The status facts under the notice: the reference to quote, the code's expiry. */
  function renderRequestFacts(next: LockState) {
    const request = next.request;
    const quoted = !!request && (request.status === 'pending' || (request.status === 'sent' && next.canResend));
    referenceFacts.hidden = !quoted;
    referenceHint.hidden = !quoted;
    if (quoted) {
      const ref = requestReference(request.requestId);
      reference.textContent = ref;
      // Read out character by character, the way it is said over the phone.
      reference.setAttribute('aria-label', [...ref.replace('-', '')].join(' '));
    }
    const expires = request?.status === 'sent' && next.canResend && request.expiresAt !== undefined ? request.expiresAt : undefined;
    expiry.hidden = expires === undefined;
    if (expires !== undefined) expiry.textContent = t('lock.expiresAt', { time: w.time(expires) });
  }

  function render(next: LockState): void {
    const previous = state;
    state = next;
    const busy = next.busy !== undefined && next.busy !== 'policy';
    const phaseLocked = next.phase === 'locked' || next.phase === 'offline' || next.phase === 'starting';
    const popup = next.phase === 'unlocked' ? 'unlocked' : next.phase === 'signing_out' ? 'signing-out' : next.popup;

    lockPopup.hidden = !(phaseLocked && next.popup === 'lock') || confirm.isOpen();
    if (!(phaseLocked && next.popup === 'lock')) confirm.dismiss();
    requestPopup.hidden = !(phaseLocked && next.popup === 'request');
    unlocked.hidden = next.phase !== 'unlocked';
    signingOut.hidden = next.phase !== 'signing_out';

    // Lock pop-up: the company's heading and sentence where the policy has them.
    lockTitle.textContent = next.lockTitle || t('lock.title');
    const who = next.computerName
      ? t('lock.lockedForComputer', { computer: next.computerName, user: next.osUser })
      : t('lock.lockedFor', { user: next.osUser });
    const sent = next.request?.status === 'sent' && next.canResend;
    lockContext.textContent = `${next.lockMessage || who} ${sent ? t('lock.enterEmailed') : t('lock.requestFirst')}`;
    helpdesk.hidden = !next.helpdeskContact;
    helpdesk.textContent = next.helpdeskContact ? t('lock.helpdesk', { contact: next.helpdeskContact }) : '';
    showNotice(lockNotice, next.popup === 'lock' ? next.notice : undefined);
    renderRequestFacts(next);
    if (next.email) {
      lockEmail.control.value = next.email;
      lockEmail.control.readOnly = true;
    } else if (previous?.email) {
      lockEmail.control.value = '';
      lockEmail.control.readOnly = false;
    }
    lockEmail.control.setAttribute('aria-readonly', String(lockEmail.control.readOnly));
    const lockInvalid = markFieldError(
      [lockEmail.control, lockOtp.control],
      {
        access_denied: lockOtp.control,
        wrong_code: lockOtp.control,
        last_attempt: lockOtp.control,
        otp_format: lockOtp.control,
        email_missing: lockEmail.control,
        email_invalid: lockEmail.control,
      },
      next.popup === 'lock' ? next.notice : undefined,
      'lock-notice',
    );
    setBusy(logIn, busy);
    openRequest.disabled = !next.otpAllowed;
    setBusy(openRequest, busy);
    const resendLabel = next.request ? t('lock.resend', { email: next.request.email }) : '';
    lockResend.hidden = !next.canResend;
    lockResend.textContent = resendLabel;
    wrongAddress.hidden = !(sent && next.phase === 'locked');
    setBusy(wrongAddress, busy);
    setBusy(lockResend, busy);
    retryNow.hidden = next.phase !== 'offline';
    lockPopup.setAttribute('aria-busy', String(busy));
    const code = next.notice?.code;
    const noticeChanged = previous?.notice?.code !== code || previous?.notice?.text !== next.notice?.text;
    if (previous?.busy === 'verify' && (code === 'access_denied' || code === 'wrong_code' || code === 'last_attempt')) {
      // The code can be tried again: the field, with the wrong code selected to type over.
      lockOtp.control.focus();
      lockOtp.control.select();
    } else if (previous?.busy === 'verify' && code === 'request_burnt') {
      lockOtp.control.value = '';
      openRequest.focus();
    } else if (lockInvalid && (previous?.busy === 'verify' || noticeChanged)) lockInvalid.focus();
    else if (popup === 'lock' && noticeChanged && code === 'request_denied' && visible(openRequest)) openRequest.focus();
    else if (popup === 'lock' && next.request?.status === 'sent' && previous?.request?.status === 'pending') lockOtp.control.focus();

    // Request pop-up.
    const mode = flow.formMode(next);
    const auto = mode !== 'email';
    const emergencyOn = (auto || flow.emergencyChosen()) && emergencyBox.checked;
    emergency.hidden = !(auto || flow.emergencyChosen());
    login.wrapper.hidden = mode !== 'internal' || emergencyOn;
    password.wrapper.hidden = mode !== 'internal' || emergencyOn;
    requestEmail.wrapper.hidden = auto && !emergencyOn;
    reason.wrapper.hidden = !emergencyOn;
    intro.textContent = emergencyOn
      ? t('request.introEmail')
      : mode === 'directory'
        ? t('request.introDirectory')
        : mode === 'internal'
          ? t('request.introInternal')
          : t('request.introEmail');
    showNotice(requestNotice, next.popup === 'request' ? next.notice : undefined);
    const requestInvalid = markFieldError(
      [login.control, password.control, requestEmail.control, reason.control],
      {
        email_missing: requestEmail.control,
        email_invalid: requestEmail.control,
        email_domain_not_allowed: requestEmail.control,
        login_missing: login.control,
        invalid_credentials: login.control,
        password_missing: password.control,
      },
      next.popup === 'request' ? next.notice : undefined,
      'request-notice',
    );
    flow.render(next, previous, { emergencyOn, auto, requestEmail: requestEmail.control });
    const refused = next.popup === 'request' && code === 'otp_interval' && next.nextRequestAt !== undefined;
    nextRequest.hidden = !refused;
    if (refused) nextRequest.textContent = t('request.nextAt', { time: w.time(next.nextRequestAt!) });
    requestResend.hidden = !(refused && next.canResend);
    requestResend.textContent = resendLabel;
    setBusy(requestResend, busy);
    requestButton.disabled = !next.otpAllowed;
    setBusy(requestButton, busy);
    requestPopup.setAttribute('aria-busy', String(busy));

    offline.render(next, phaseLocked);

    // Unlocked / signing out.
    unlockedDetail.textContent = next.email ? t('unlocked.welcome', { user: next.osUser, email: next.email }) : '';

    const popupChanged = popup !== shownPopup;
    if (popupChanged) {
      const from = shownPopup;
      shownPopup = popup;
      if (popup === 'lock') {
        if (previous?.popup === 'request') password.control.value = '';
        if (previous?.phase === 'unlocked') lockOtp.control.value = ''; // locked again (relock.ts): the used code goes
        const back = (from === 'request' || from === 'offline') && opener && visible(opener) ? opener : undefined;
        // Back from a pop-up: to the button that opened it, unless a code now waits for the field.
        const relocked = previous?.phase === 'unlocked';
        (back && !(next.request?.status === 'sent' && previous?.request?.status !== 'sent')
          ? back
          : lockFocusTarget(next, relocked)
        ).focus();
        if (!next.email && !next.request && !relocked && document.activeElement !== lockEmail.control && !back) focusFirst(lockPopup);
        opener = undefined;
      } else if (popup === 'request') {
        if (flow.wantsEmailFocus(next)) requestEmail.control.focus();
        else if (!focusAfterRefusal(next)) focusRequestStart();
      } else if (popup === 'offline') offline.focus();
      else if (popup === 'unlocked') unlockedTitle.focus();
      else if (popup === 'signing-out') signingOutTitle.focus();
    } else if (popup === 'request' && noticeChanged && !(requestInvalid && visible(requestInvalid))) focusAfterRefusal(next);
    if (!popupChanged && noticeChanged && popup === 'request' && requestInvalid && visible(requestInvalid)) requestInvalid.focus();
    // Whatever changed under it (a button hidden, a pop-up swapped), focus stays in the open dialog.
    if (popup === 'lock' && !confirm.isOpen()) keepFocusIn(lockPopup, () => lockFocusTarget(next));
    else if (popup === 'request') keepFocusIn(requestPopup, () => requestInvalid ?? requestButton);
    keepNoticeInView(lockPopup, lockNoticeArea);
    keepNoticeInView(requestPopup, requestNotice.parentElement as HTMLElement);
  }

  /**
   * After an interval or directory refusal, Request would only repeat it: focus goes to emergency
   * access (the offer in email mode, the checkbox in the automatic modes). true when it moved.
   */
  function focusAfterRefusal(next: LockState): boolean {
    if (!next.notice || !EMERGENCY_NEXT.has(next.notice.code)) return false;
    const target = visible(flow.emergencyOffer)
      ? flow.emergencyOffer
      : visible(emergencyBox) && !emergencyBox.checked
        ? emergencyBox
        : undefined;
    target?.focus();
    return !!target;
  }

  /** A busy button keeps its focus (a disabled one would drop it to <body>): aria-disabled, and the handlers ignore it. */
  function setBusy(button: HTMLButtonElement, busy: boolean) {
    if (busy) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  }

  return render;
}

/**
 * The notice sticks to the top of a card that scrolls (200 % on a small screen), and the card keeps
 * that much room above a focused control, so the message is whole while the focus is visible too.
 */
function keepNoticeInView(popup: HTMLElement, area: HTMLElement): void {
  if (popup.hidden) return;
  const height = area.getBoundingClientRect().height;
  popup.style.scrollPaddingTop = height > 0 ? `${Math.ceil(height)}px` : '';
}

import type { LockState, OtpRequestMethod } from '@latchkey/contracts';
import type { LatchkeyApi } from '../preload/bridge.js';
import { mountOfflinePopup } from './offline-view.js';
import { field, formatTime, h, noticeBox, showNotice } from './dom.js';
import { focusables, keepFocusIn, markFieldError, trapTab } from './lock-a11y.js';
import { createFlowControls } from './lock-flow-view.js';

/**
 * The two pop-ups. The DOM is built once and updated from each state the controller publishes, so
 * what a person typed and where the focus is survive every update. Knows nothing but the bridge.
 */

export function mountLockView(root: HTMLElement, api: LatchkeyApi): void {
  // ---- lock pop-up ----
  const lockEmail = field('lock-email', 'Email', { type: 'email', autocomplete: 'email', spellcheck: 'false', maxlength: '254' });
  const lockOtp = field('lock-otp', 'One-time password', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    spellcheck: 'false',
    maxlength: '16',
  });
  const logIn = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const openRequest = h('button', { type: 'button' }, 'Request One-Time Password');
  const lockResend = h('button', { type: 'button', hidden: true }, 'Resend');
  const flow = createFlowControls(api);
  const retryNow = h('button', { type: 'button', hidden: true }, 'Try again now');
  const signOut = h('button', { type: 'button', class: 'quiet' }, 'Sign out');
  const offline = mountOfflinePopup(api);
  const lockNotice = noticeBox('lock-notice');
  const lockNoticeArea = h('div', {}, lockNotice, flow.retryCountdown);
  const lockContext = h('p', { class: 'context', id: 'lock-context' });
  const lockForm = h('form', { novalidate: true }, lockEmail.wrapper, lockOtp.wrapper, h('div', { class: 'actions' }, logIn));
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
    h('h1', { id: 'lock-title' }, 'A one-time password is required'),
    lockContext,
    lockNoticeArea,
    lockForm,
    h('div', { class: 'actions secondary' }, openRequest, flow.differentEmail, lockResend, retryNow, offline.offerButton, signOut),
  );

  // ---- request pop-up ----
  const intro = h('p', { class: 'context', id: 'request-intro' });
  const login = field('request-login', 'Login name', { type: 'text', autocomplete: 'username', spellcheck: 'false', maxlength: '64' });
  const password = field('request-password', 'Password', { type: 'password', autocomplete: 'current-password', maxlength: '256' });
  const emergencyBox = h('input', { type: 'checkbox', id: 'request-emergency', name: 'request-emergency' });
  const emergency = h(
    'div',
    { class: 'field checkbox' },
    emergencyBox,
    h('label', { for: 'request-emergency' }, 'I need emergency access to computer'),
  );
  const requestEmail = field('request-email', 'Email', { type: 'email', autocomplete: 'email', spellcheck: 'false', maxlength: '254' });
  const reason = field('request-reason', 'Reason', { type: 'text', maxlength: '500' }, 'Optional: tell the helpdesk why you need access.');
  const requestButton = h('button', { type: 'submit', class: 'primary' }, 'Request');
  const cancel = h('button', { type: 'button', class: 'quiet' }, 'Cancel');
  const requestNotice = noticeBox('request-notice');
  const nextRequest = h('p', { class: 'hint', id: 'request-next', hidden: true });
  const requestResend = h('button', { type: 'button', hidden: true }, 'Resend');
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
    h('h1', { id: 'request-title' }, 'Request One-Time Password'),
    intro,
    requestNotice,
    nextRequest,
    h('div', { class: 'actions refusal' }, requestResend, flow.emergencyOffer),
    flow.switchMode,
    requestForm,
  );

  // ---- after the lock ----
  const unlockedTitle = h('h1', { id: 'unlocked-title', tabindex: '-1' }, 'Unlocked');
  const unlocked = h(
    'section',
    { class: 'popup', id: 'unlocked', role: 'dialog', 'aria-labelledby': 'unlocked-title', hidden: true },
    unlockedTitle,
    h('p', { class: 'context', id: 'unlocked-detail' }),
  );
  const signingOut = h(
    'section',
    { class: 'popup', id: 'signing-out', role: 'dialog', 'aria-labelledby': 'signing-out-title', hidden: true },
    h('h1', { id: 'signing-out-title', tabindex: '-1' }, 'Signing out…'),
  );

  root.replaceChildren(h('main', { class: 'backdrop' }, lockPopup, requestPopup, offline.popup, unlocked, signingOut));
  for (const popup of [lockPopup, requestPopup, offline.popup]) trapTab(popup);
  const signingOutTitle = signingOut.querySelector('h1') as HTMLElement;

  let state: LockState | undefined;
  let shownPopup: string | undefined;

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
    // An address typed into the lock pop-up is the likely one to request with.
    if (!requestEmail.control.value && !lockEmail.control.readOnly) requestEmail.control.value = lockEmail.control.value.trim();
    run(() => api.showRequest());
  });
  const resend = () => {
    if (!state?.busy || state.busy === 'policy') run(() => api.resend());
  };
  lockResend.addEventListener('click', resend);
  requestResend.addEventListener('click', resend);
  retryNow.addEventListener('click', () => run(() => api.retryNow()));
  signOut.addEventListener('click', () => run(() => api.signOut()));
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

  function render(next: LockState): void {
    const previous = state;
    state = next;
    const busy = next.busy !== undefined && next.busy !== 'policy';
    const phaseLocked = next.phase === 'locked' || next.phase === 'offline' || next.phase === 'starting';
    const popup = next.phase === 'unlocked' ? 'unlocked' : next.phase === 'signing_out' ? 'signing-out' : next.popup;

    lockPopup.hidden = !(phaseLocked && next.popup === 'lock');
    requestPopup.hidden = !(phaseLocked && next.popup === 'request');
    unlocked.hidden = next.phase !== 'unlocked';
    signingOut.hidden = next.phase !== 'signing_out';

    // Lock pop-up.
    const who = next.computerName ? `${next.computerName} is locked for ${next.osUser}.` : `This computer is locked for ${next.osUser}.`;
    lockContext.textContent = `${who} Enter the one-time password that was emailed to you.`;
    showNotice(lockNotice, next.popup === 'lock' ? next.notice : undefined);
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
        otp_format: lockOtp.control,
        request_burnt: lockOtp.control,
        email_missing: lockEmail.control,
        email_invalid: lockEmail.control,
      },
      next.popup === 'lock' ? next.notice : undefined,
      'lock-notice',
    );
    setBusy(logIn, busy);
    openRequest.disabled = !next.otpAllowed;
    setBusy(openRequest, busy);
    lockResend.hidden = !next.canResend;
    setBusy(lockResend, busy);
    retryNow.hidden = next.phase !== 'offline';
    lockPopup.setAttribute('aria-busy', String(busy));
    if (previous?.busy === 'verify' && (next.notice?.code === 'access_denied' || next.notice?.code === 'request_burnt')) {
      lockOtp.control.value = '';
      lockOtp.control.focus();
    } else if (lockInvalid && (previous?.busy === 'verify' || previous?.notice?.code !== next.notice?.code)) lockInvalid.focus();

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
      ? 'Enter your email address. The helpdesk approves the request, then the one-time password is emailed to you.'
      : mode === 'directory'
        ? 'The one-time password is sent to the email address your company directory has for you.'
        : mode === 'internal'
          ? 'Enter your Management Tool login name and password. The one-time password is sent to your email address.'
          : 'Enter your email address. The helpdesk approves the request, then the one-time password is emailed to you.';
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
    flow.render(next, previous, { emergencyOn, requestEmail: requestEmail.control });
    const noticeChanged = previous?.notice?.code !== next.notice?.code || previous?.notice?.text !== next.notice?.text;
    if (noticeChanged && next.popup === 'request' && requestInvalid && !requestInvalid.closest('[hidden]')) requestInvalid.focus();
    const refused = next.popup === 'request' && next.notice?.code === 'otp_interval' && next.nextRequestAt !== undefined;
    nextRequest.hidden = !refused;
    if (refused) nextRequest.textContent = `You can request a new one-time password at ${formatTime(next.nextRequestAt!)}.`;
    requestResend.hidden = !(refused && next.canResend);
    setBusy(requestResend, busy);
    requestButton.disabled = !next.otpAllowed;
    setBusy(requestButton, busy);
    requestPopup.setAttribute('aria-busy', String(busy));

    offline.render(next, phaseLocked);

    // Unlocked / signing out.
    (unlocked.querySelector('#unlocked-detail') as HTMLElement).textContent = next.email ? `Welcome, ${next.osUser} (${next.email}).` : '';

    if (popup !== shownPopup) {
      shownPopup = popup;
      if (popup === 'lock') {
        if (previous?.popup === 'request') password.control.value = '';
        if (previous?.phase === 'unlocked') lockOtp.control.value = ''; // locked again (relock.ts): the used code goes
        (next.email ? lockOtp.control : lockEmail.control).focus();
        if (!next.email && document.activeElement !== lockEmail.control) focusFirst(lockPopup);
      } else if (popup === 'request') {
        if (flow.wantsEmailFocus(next)) requestEmail.control.focus();
        else focusRequestStart();
      } else if (popup === 'offline') offline.focus();
      else if (popup === 'unlocked') unlockedTitle.focus();
      else if (popup === 'signing-out') signingOutTitle.focus();
    }
    // Whatever changed under it (a button hidden, a pop-up swapped), focus stays in the open dialog.
    if (popup === 'lock') keepFocusIn(lockPopup, () => (next.email ? lockOtp.control : lockEmail.control));
    else if (popup === 'request') keepFocusIn(requestPopup, () => requestInvalid ?? requestButton);
  }

  /** A busy button keeps its focus (a disabled one would drop it to <body>): aria-disabled, and the handlers ignore it. */
  function setBusy(button: HTMLButtonElement, busy: boolean) {
    if (busy) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  }

  let heard = false;
  api.onStateChanged((next) => {
    heard = true;
    render(next);
  });
  run(async () => {
    const first = await api.getState();
    if (!heard) render(first);
  });
}

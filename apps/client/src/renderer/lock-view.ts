import type { LockState, OtpRequestMethod } from '@latchkey/contracts';
import type { LatchkeyApi } from '../preload/bridge.js';
import { mountOfflinePopup } from './offline-view.js';
import { field, formatTime, h, noticeBox, showNotice } from './dom.js';

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
  const retryNow = h('button', { type: 'button', hidden: true }, 'Try again now');
  const signOut = h('button', { type: 'button', class: 'quiet' }, 'Sign out');
  const offline = mountOfflinePopup(api);
  const lockNotice = noticeBox('lock-notice');
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
    lockNotice,
    lockForm,
    h('div', { class: 'actions secondary' }, openRequest, lockResend, retryNow, offline.offerButton, signOut),
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
    h('div', { class: 'actions refusal' }, requestResend),
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
    run(() => api.verify({ email: lockEmail.control.value, otp: lockOtp.control.value }));
  });
  openRequest.addEventListener('click', () => {
    // An address typed into the lock pop-up is the likely one to request with.
    if (!requestEmail.control.value && !lockEmail.control.readOnly) requestEmail.control.value = lockEmail.control.value.trim();
    run(() => api.showRequest());
  });
  lockResend.addEventListener('click', () => run(() => api.resend()));
  requestResend.addEventListener('click', () => run(() => api.resend()));
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
  requestForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state) return;
    const method: OtpRequestMethod = state.requestMode !== 'email' && emergencyBox.checked ? 'emergency' : state.requestMode;
    if (method === 'email') run(() => api.requestOtp({ method, email: requestEmail.control.value }));
    else if (method === 'emergency') run(() => api.requestOtp({ method, email: requestEmail.control.value, reason: reason.control.value }));
    else if (method === 'internal') run(() => api.requestOtp({ method, login: login.control.value, password: password.control.value }));
    else run(() => api.requestOtp({ method }));
  });

  function focusFirst(popup: HTMLElement) {
    const target = [...popup.querySelectorAll<HTMLElement>('input, button')].find(
      (el) => !el.closest('[hidden]') && !(el as HTMLInputElement).readOnly && !(el as HTMLButtonElement).disabled,
    );
    target?.focus();
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
    lockOtp.control.setAttribute('aria-describedby', 'lock-notice');
    lockOtp.control.setAttribute('aria-invalid', String(next.notice?.code === 'access_denied' || next.notice?.code === 'otp_format'));
    logIn.disabled = busy;
    openRequest.disabled = busy || !next.otpAllowed;
    lockResend.hidden = !next.canResend;
    lockResend.disabled = busy;
    retryNow.hidden = next.phase !== 'offline';
    lockPopup.setAttribute('aria-busy', String(busy));
    if (previous?.busy === 'verify' && next.notice?.code === 'access_denied') {
      lockOtp.control.value = '';
      lockOtp.control.focus();
    }

    // Request pop-up.
    const auto = next.requestMode !== 'email';
    const emergencyOn = auto && emergencyBox.checked;
    emergency.hidden = !auto;
    login.wrapper.hidden = next.requestMode !== 'internal' || emergencyOn;
    password.wrapper.hidden = next.requestMode !== 'internal' || emergencyOn;
    requestEmail.wrapper.hidden = auto && !emergencyOn;
    reason.wrapper.hidden = !emergencyOn;
    intro.textContent = emergencyOn
      ? 'Enter your email address. The helpdesk approves the request, then the one-time password is emailed to you.'
      : next.requestMode === 'directory'
        ? 'The one-time password is sent to the email address your company directory has for you.'
        : next.requestMode === 'internal'
          ? 'Enter your Management Tool login name and password. The one-time password is sent to your email address.'
          : 'Enter your email address. The helpdesk approves the request, then the one-time password is emailed to you.';
    showNotice(requestNotice, next.popup === 'request' ? next.notice : undefined);
    const refused = next.popup === 'request' && next.notice?.code === 'otp_interval' && next.nextRequestAt !== undefined;
    nextRequest.hidden = !refused;
    if (refused) nextRequest.textContent = `You can request a new one-time password at ${formatTime(next.nextRequestAt!)}.`;
    requestResend.hidden = !(refused && next.canResend);
    requestResend.disabled = busy;
    requestButton.disabled = busy || !next.otpAllowed;
    requestPopup.setAttribute('aria-busy', String(busy));

    offline.render(next, phaseLocked);

    // Unlocked / signing out.
    (unlocked.querySelector('#unlocked-detail') as HTMLElement).textContent = next.email ? `Welcome, ${next.osUser} (${next.email}).` : '';

    if (popup !== shownPopup) {
      shownPopup = popup;
      if (popup === 'lock') {
        if (previous?.popup === 'request') password.control.value = '';
        (next.email ? lockOtp.control : lockEmail.control).focus();
        if (!next.email && document.activeElement !== lockEmail.control) focusFirst(lockPopup);
      } else if (popup === 'request') focusFirst(requestPopup);
      else if (popup === 'offline') offline.focus();
      else if (popup === 'unlocked') unlockedTitle.focus();
    }
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

import type { LockState, RequestMode } from '@latchkey/contracts';
import type { LatchkeyApi } from '../preload/bridge.js';
import { retryCountdown, type Words } from '../lock/messages.js';

/**
 * The lock's ways out of dead ends, as controls: "Use a different email" while a request is
 * pending, the offline countdown that counts, "I need emergency access to computer" right at an
 * interval refusal, and "Use my internal login instead" when both automatic options are on.
 */
export function createFlowControls(api: LatchkeyApi, w: Words) {
  const button = (label: string, id: string) => {
    const el = document.createElement('button');
    el.type = 'button';
    el.id = id;
    el.hidden = true;
    el.textContent = label;
    return el;
  };
  const differentEmail = button(w.t('lock.differentEmail'), 'lock-different-email');
  const emergencyOffer = button(w.t('request.emergency'), 'request-emergency-offer');
  const switchMode = button(w.t('request.useInternal'), 'request-switch-mode');
  switchMode.classList.add('link');
  // Not a live region: a sentence changing every second would drown the notice for a screen reader.
  const retryCountdownBox = document.createElement('p');
  retryCountdownBox.className = 'hint';
  retryCountdownBox.id = 'lock-retry';
  retryCountdownBox.hidden = true;

  let useAlternative = false;
  let emergencyChosen = false;
  let retryAt: number | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  const emergencyListeners: (() => void)[] = [];
  const modeListeners: (() => void)[] = [];

  differentEmail.addEventListener('click', () => {
    if (!busy) api.cancelRequest().catch(() => undefined);
  });
  emergencyOffer.addEventListener('click', () => {
    emergencyChosen = true;
    for (const listener of emergencyListeners) listener();
  });
  switchMode.addEventListener('click', () => {
    useAlternative = !useAlternative;
    for (const listener of modeListeners) listener();
  });

  const tick = () => {
    if (retryAt === undefined) return;
    const text = retryCountdown(w, retryAt, Date.now());
    if (retryCountdownBox.textContent !== text) retryCountdownBox.textContent = text;
  };

  return {
    differentEmail,
    emergencyOffer,
    switchMode,
    retryCountdown: retryCountdownBox,
    /** The form the request pop-up shows: the policy's mode, or its alternative once chosen. */
    formMode(state: LockState): RequestMode {
      return useAlternative && state.alternativeMode ? state.alternativeMode : state.requestMode;
    },
    emergencyChosen: () => emergencyChosen,
    onEmergencyChosen: (listener: () => void) => void emergencyListeners.push(listener),
    onModeSwitched: (listener: () => void) => void modeListeners.push(listener),
    /** After "Use a different email" the address to correct is in the request form, focused. */
    wantsEmailFocus: (state: LockState) => state.notice?.code === 'request_cancelled',

    render(
      next: LockState,
      previous: LockState | undefined,
      form: { emergencyOn: boolean; auto: boolean; requestEmail: HTMLInputElement },
    ): void {
      busy = next.busy !== undefined && next.busy !== 'policy';
      differentEmail.hidden = !(next.request?.status === 'pending' && next.phase === 'locked');
      if (busy) differentEmail.setAttribute('aria-disabled', 'true');
      else differentEmail.removeAttribute('aria-disabled');

      if (!next.alternativeMode) useAlternative = false;
      switchMode.hidden = !next.alternativeMode || form.emergencyOn;
      switchMode.textContent = useAlternative ? w.t('request.useDirectory') : w.t('request.useInternal');

      // In the automatic modes the form has its own emergency checkbox: no second way to say it.
      emergencyOffer.hidden = !(next.popup === 'request' && next.notice?.code === 'otp_interval' && !form.emergencyOn && !form.auto);
      if (next.popup === 'lock' && previous?.popup === 'request') emergencyChosen = false;

      const cancelledEmail =
        previous?.request?.status === 'pending' || previous?.request?.status === 'sent' ? previous.request.email : undefined;
      if (next.notice?.code === 'request_cancelled' && previous?.notice?.code !== 'request_cancelled' && cancelledEmail) {
        form.requestEmail.value = cancelledEmail;
      }

      retryAt = next.phase === 'offline' ? next.retry?.at : undefined;
      retryCountdownBox.hidden = retryAt === undefined || next.popup !== 'lock';
      if (retryAt !== undefined && ticker === undefined) ticker = setInterval(tick, 250);
      if (retryAt === undefined && ticker !== undefined) {
        clearInterval(ticker);
        ticker = undefined;
      }
      tick();
    },
  };
}

import type { ActivityEventType } from '@latchkey/contracts';
import type { ActivityRecorder } from '../lock/activity-recorder.js';
import { parseOutbox, type ActivityOutboxStore } from '../lock/activity-outbox.js';

/** The preview's outbox: localStorage, so a reload during an outage keeps the events, as the disk does in Electron. */
export function localStorageOutbox(key: string): ActivityOutboxStore {
  return {
    load: () => parseOutbox(localStorage.getItem(key)),
    save(events) {
      if (events.length === 0) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(events));
    },
  };
}

const BUTTONS: [string, ActivityEventType][] = [
  ['Simulate screen lock', 'screen.locked'],
  ['Simulate screen unlock', 'screen.unlocked'],
  ['Simulate idle', 'idle'],
  ['Simulate active', 'active'],
  ['Simulate sign-out', 'signed_out'],
];

/**
 * Preview controls, outside the lock card: each button records the event the Electron main process
 * records for that OS event (same recorder, same outbox, same endpoint). Shown while unlocked.
 */
export function mountActivityControls(recorder: ActivityRecorder): { setVisible(visible: boolean): void } {
  const aside = document.createElement('aside');
  aside.className = 'preview-activity';
  aside.setAttribute('aria-labelledby', 'preview-activity-title');
  aside.hidden = true;
  const title = document.createElement('h2');
  title.id = 'preview-activity-title';
  title.textContent = 'Preview: session activity';
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  status.className = 'hint';
  const row = document.createElement('div');
  row.className = 'actions';
  for (const [label, type] of BUTTONS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', () => {
      if (!recorder.activeSessionId) {
        status.textContent = 'The session has ended: nothing more is recorded.';
        return;
      }
      const what = label.replace('Simulate ', '');
      if (!recorder.record(type)) {
        status.textContent = `Nothing new to record: the session is already ${type === 'idle' ? 'idle' : 'active'}.`;
        return;
      }
      void recorder.flush().then(() => {
        status.textContent =
          recorder.pending === 0
            ? `Recorded “${what}” and sent it to the server.`
            : `Recorded “${what}”; ${recorder.pending} events wait to be sent.`;
      });
    });
    row.append(button);
  }
  aside.append(title, row, status);
  // A bar above the lock, in the page's flow: it never covers the lock card.
  document.body.prepend(aside);
  return {
    setVisible(visible) {
      aside.hidden = !visible;
    },
  };
}

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PowerMonitor } from 'electron';
import type { ActivityRecorder } from '../lock/activity-recorder.js';
import { parseOutbox, type ActivityOutboxStore } from '../lock/activity-outbox.js';
import { watchIdle } from '../lock/activity-idle.js';
import { parseQwinsta, remoteTransition, type RemoteState } from './remote-session.js';

const REMOTE_POLL_MS = 30_000;

/** The outbox on disk (written whole, through a temp file, so a crash leaves the old or the new list). */
export function createActivityFileStore(userDataDir: string): ActivityOutboxStore {
  const file = join(userDataDir, 'activity-outbox.json');
  return {
    load() {
      try {
        return parseOutbox(readFileSync(file, 'utf8'));
      } catch {
        return [];
      }
    },
    save(events) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(events), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}

/** How this session is shown now, for the lock decision: remote over RDP, else local (qwinsta; not Windows: local). */
export function logonKindNow(platform = process.platform): Promise<'local' | 'remote'> {
  if (platform !== 'win32') return Promise.resolve('local');
  return new Promise((resolve) =>
    execFile('qwinsta', { timeout: 10_000, windowsHide: true }, (err, stdout) =>
      resolve(!err && parseQwinsta(stdout) === 'remote' ? 'remote' : 'local'),
    ),
  );
}

/**
 * The OS events behind the session's activity, fed to the recorder: screen lock and unlock, suspend
 * and resume (powerMonitor), idle and active (powerMonitor's idle time, polled), and on Windows remote
 * connect and disconnect (`qwinsta`, polled). Nothing else is read.
 */
export function watchSessionActivity(powerMonitor: PowerMonitor, recorder: ActivityRecorder, platform = process.platform): () => void {
  const on = (event: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume', type: Parameters<ActivityRecorder['record']>[0]) => {
    const listener = () => recorder.record(type);
    powerMonitor.on(event as 'suspend', listener);
    return () => {
      powerMonitor.off(event as 'suspend', listener);
    };
  };
  const offs: (() => void)[] = [
    on('lock-screen', 'screen.locked'),
    on('unlock-screen', 'screen.unlocked'),
    on('suspend', 'suspend'),
    on('resume', 'resume'),
  ];
  const idle = watchIdle({ idleSeconds: () => powerMonitor.getSystemIdleTime(), onChange: (type, at) => recorder.record(type, at) });
  offs.push(() => idle.stop());
  if (platform === 'win32') {
    let remote: RemoteState | undefined;
    const poll = () =>
      execFile('qwinsta', { timeout: 10_000, windowsHide: true }, (err, stdout) => {
        if (err) return;
        const next = parseQwinsta(stdout);
        const type = remoteTransition(remote, next);
        if (type) recorder.record(type);
        remote = next ?? remote;
      });
    poll();
    const timer = setInterval(poll, REMOTE_POLL_MS);
    offs.push(() => clearInterval(timer));
  }
  return () => offs.forEach((off) => off());
}

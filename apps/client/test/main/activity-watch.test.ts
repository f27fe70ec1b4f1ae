import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PowerMonitor } from 'electron';
import type { ActivityEventType } from '@latchkey/contracts';
import type { ActivityRecorder } from '../../src/lock/activity-recorder.js';
import { createActivityFileStore, watchSessionActivity } from '../../src/main/activity-watch.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Electron glue for the session activity', () => {
  it('maps powerMonitor events to activity events and stops listening when the session ends', () => {
    const monitor = Object.assign(new EventEmitter(), { getSystemIdleTime: () => 0 });
    const recorded: ActivityEventType[] = [];
    const recorder = { record: (type: ActivityEventType) => void recorded.push(type) } as unknown as ActivityRecorder;
    const stop = watchSessionActivity(monitor as unknown as PowerMonitor, recorder, 'linux');
    for (const event of ['lock-screen', 'unlock-screen', 'suspend', 'resume']) monitor.emit(event);
    expect(recorded).toEqual(['screen.locked', 'screen.unlocked', 'suspend', 'resume']);
    stop();
    monitor.emit('lock-screen');
    expect(recorded).toHaveLength(4);
    expect(monitor.listenerCount('lock-screen')).toBe(0);
  });

  it('keeps the outbox in a file that survives a restart, and reads a damaged file as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-activity-'));
    dirs.push(dir);
    const events = [{ sessionId: 'session-0001', type: 'idle' as const, at: 1 }];
    createActivityFileStore(dir).save(events);
    expect(createActivityFileStore(dir).load()).toEqual(events);
    expect(JSON.parse(readFileSync(join(dir, 'activity-outbox.json'), 'utf8'))).toEqual(events);
    writeFileSync(join(dir, 'activity-outbox.json'), '{half');
    expect(createActivityFileStore(dir).load()).toEqual([]);
  });
});

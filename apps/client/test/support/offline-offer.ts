import { expect, vi } from 'vitest';
import type { LockController } from '../../src/lock/lock-controller.js';
import type { ManualTimers } from './manual-timers.js';

export const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });

/** Lets the reconnect timer fire until the lock offers "Unlock with the helpdesk". */
export async function untilOffered(controller: LockController, timers: ManualTimers): Promise<void> {
  for (let i = 0; i < 5 && !controller.state.offline; i++) {
    const attempt = controller.state.retry?.attempt ?? 0;
    timers.advance(timers.delays()[0] ?? 0);
    await until(() => (controller.state.retry?.attempt ?? 0) > attempt && controller.state.busy === undefined);
  }
  // A key handed over by the guard is picked up after the attempt that found the server gone.
  await until(() => controller.state.offline !== undefined);
}

import type { LockIpcHandlers } from '@latchkey/contracts';
import type { LockController } from './lock-controller.js';

/**
 * The controller behind the IPC channel map. Electron's main registers these (after its sender and
 * payload checks); the preview page calls them in-process. Both hosts run the same code.
 */
export function createLockHandlers(controller: LockController): LockIpcHandlers {
  return {
    'lock:get-state': async () => controller.state,
    'lock:show-request': async () => (await controller.showRequest(), null),
    'lock:show-lock': async () => (controller.showLock(), null),
    'lock:request-otp': async (input) => (await controller.requestOtp(input), null),
    'lock:verify': async (input) => (await controller.verify(input), null),
    'lock:resend': async () => (await controller.resend(), null),
    'lock:cancel-request': async () => (await controller.cancelRequest(), null),
    'lock:retry-now': async () => (await controller.retryNow(), null),
    'lock:sign-out': async () => (await controller.signOut(), null),
    'lock:show-offline': async () => (await controller.showOffline(), null),
    'lock:offline-unlock': async (input) => (await controller.offlineUnlock(input), null),
  };
}

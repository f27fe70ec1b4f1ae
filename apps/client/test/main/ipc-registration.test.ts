import { describe, expect, it } from 'vitest';
import { lockInvokeChannels, type LockIpcHandlers } from '@latchkey/contracts';
import { IpcRefused, isLockSender, registerLockIpc, type InvokeEvent, type IpcMainLike } from '../../src/main/ipc-registration.js';
import { LOCK_ORIGIN } from '../../src/main/renderer-files.js';

/** ipcMain's registry as a plain map: the registration is what is under test, not Electron. */
function registry() {
  const handlers = new Map<string, (event: InvokeEvent, payload: unknown) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipcMain, handlers };
}

function recordingHandlers(calls: [string, unknown][]): LockIpcHandlers {
  const entries = Object.keys(lockInvokeChannels).map((channel) => [
    channel,
    async (payload: unknown) => (calls.push([channel, payload]), null),
  ]);
  return Object.fromEntries(entries) as LockIpcHandlers;
}

const lockEvent = (url = `${LOCK_ORIGIN}/index.html`, parent: unknown = null, id = 7): InvokeEvent => ({
  senderFrame: { url, parent },
  sender: { id },
});

describe('IPC registration', () => {
  it('registers every channel of the contract and removes them again', () => {
    const { ipcMain, handlers } = registry();
    const remove = registerLockIpc(ipcMain, recordingHandlers([]), () => true);
    expect([...handlers.keys()].sort()).toEqual(Object.keys(lockInvokeChannels).sort());
    expect([...handlers.keys()].every((c) => c.startsWith('lock:'))).toBe(true);
    remove();
    expect(handlers.size).toBe(0);
  });

  it('passes valid payloads from the lock window to the controller', async () => {
    const { ipcMain, handlers } = registry();
    const calls: [string, unknown][] = [];
    registerLockIpc(ipcMain, recordingHandlers(calls), (e) => isLockSender(e, new Set([7]), LOCK_ORIGIN));
    await handlers.get('lock:verify')!(lockEvent(), { email: 'a@b.example.com', otp: '12345678' });
    await handlers.get('lock:resend')!(lockEvent(), undefined);
    expect(calls).toEqual([
      ['lock:verify', { email: 'a@b.example.com', otp: '12345678' }],
      ['lock:resend', null],
    ]);
  });

  it('refuses payloads that do not match the channel schema', async () => {
    const { ipcMain, handlers } = registry();
    const calls: [string, unknown][] = [];
    registerLockIpc(ipcMain, recordingHandlers(calls), () => true);
    await expect(handlers.get('lock:verify')!(lockEvent(), { email: 'a@b.example.com' })).rejects.toThrow(IpcRefused);
    await expect(handlers.get('lock:verify')!(lockEvent(), { email: 'a@b.example.com', otp: '1', extra: 1 })).rejects.toThrow(IpcRefused);
    await expect(handlers.get('lock:request-otp')!(lockEvent(), { method: 'sudo' })).rejects.toThrow(IpcRefused);
    await expect(handlers.get('lock:verify')!(lockEvent(), { email: 'x'.repeat(300), otp: '1' })).rejects.toThrow(IpcRefused);
    expect(calls).toEqual([]);
  });

  it('refuses senders that are not the top frame of our lock window on our origin', async () => {
    const { ipcMain, handlers } = registry();
    const calls: [string, unknown][] = [];
    registerLockIpc(ipcMain, recordingHandlers(calls), (e) => isLockSender(e, new Set([7]), LOCK_ORIGIN));
    const refused = [
      lockEvent('https://evil.example.com/'),
      lockEvent(`${LOCK_ORIGIN}/index.html`, { url: 'x' }), // a subframe
      lockEvent(`${LOCK_ORIGIN}/index.html`, null, 8), // another window
      lockEvent('latchkey://lockx/index.html'),
      { senderFrame: null, sender: { id: 7 } },
    ];
    for (const event of refused) await expect(handlers.get('lock:sign-out')!(event, null)).rejects.toThrow(IpcRefused);
    expect(calls).toEqual([]);
  });
});

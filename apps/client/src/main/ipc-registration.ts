import { isIpcRequest, lockInvokeChannels, type LockInvokeChannel, type LockIpcHandlers } from '@latchkey/contracts';

/** The parts of Electron's ipcMain and its event that registration needs (so tests can drive it). */
export interface SenderFrame {
  url: string;
  parent: unknown;
}
export interface InvokeEvent {
  senderFrame: SenderFrame | null;
  sender: { id: number };
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export class IpcRefused extends Error {
  override name = 'IpcRefused';
}

/** Whether a call comes from the top frame of one of our lock windows showing our own page. */
export function isLockSender(event: InvokeEvent, lockWebContentsIds: ReadonlySet<number>, origin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  if (!lockWebContentsIds.has(event.sender.id)) return false;
  try {
    return new URL(frame.url).origin === origin || frame.url.startsWith(`${origin}/`);
  } catch {
    return false;
  }
}

/**
 * Registers every invoke channel of the contract through one gate: the sender must be our lock
 * window's top frame, and the payload must match the channel's schema. Anything else is refused
 * without reaching the controller. Returns a function that removes the handlers.
 */
export function registerLockIpc(ipcMain: IpcMainLike, handlers: LockIpcHandlers, isTrusted: (event: InvokeEvent) => boolean): () => void {
  const channels = Object.keys(lockInvokeChannels) as LockInvokeChannel[];
  for (const channel of channels) {
    const handler = handlers[channel] as (payload: unknown) => Promise<unknown>;
    ipcMain.handle(channel, async (event, payload) => {
      if (!isTrusted(event)) throw new IpcRefused(`${channel}: sender refused`);
      const value = payload === undefined ? null : payload;
      if (!isIpcRequest(channel, value)) throw new IpcRefused(`${channel}: payload refused`);
      return handler(value);
    });
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}

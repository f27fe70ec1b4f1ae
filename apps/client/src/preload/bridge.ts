import {
  lockEventChannels,
  lockInvokeChannels,
  type IpcEventPayload,
  type IpcRequest,
  type IpcResponse,
  type LockEventChannel,
  type LockInvokeChannel,
  type LockInvokeChannels,
} from '@latchkey/contracts';

/**
 * Builds the renderer's API from the channel map: one named function per channel and nothing else
 * (no channel names, no ipcRenderer). Kept free of Electron so the preview page builds the same
 * object over the in-page controller, and the renderer's type is derived from it.
 */
export type Invoke = <C extends LockInvokeChannel>(channel: C, payload: IpcRequest<C>) => Promise<IpcResponse<C>>;
export type Subscribe = <C extends LockEventChannel>(channel: C, listener: (payload: IpcEventPayload<C>) => void) => () => void;

type InvokeFunctions = {
  [C in LockInvokeChannel as LockInvokeChannels[C]['fn']]: IpcRequest<C> extends null
    ? () => Promise<IpcResponse<C>>
    : (payload: IpcRequest<C>) => Promise<IpcResponse<C>>;
};
type EventFunctions = {
  [C in LockEventChannel as (typeof lockEventChannels)[C]['fn']]: (listener: (payload: IpcEventPayload<C>) => void) => () => void;
};
export type LatchkeyApi = InvokeFunctions & EventFunctions;

export function buildBridge(invoke: Invoke, subscribe: Subscribe): LatchkeyApi {
  const api: Record<string, unknown> = {};
  for (const [channel, { fn }] of Object.entries(lockInvokeChannels)) {
    api[fn] = (payload?: unknown) => invoke(channel as LockInvokeChannel, (payload ?? null) as never);
  }
  for (const [channel, { fn }] of Object.entries(lockEventChannels)) {
    api[fn] = (listener: (payload: unknown) => void) => subscribe(channel as LockEventChannel, listener);
  }
  return Object.freeze(api) as LatchkeyApi;
}

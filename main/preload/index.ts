/**
 * The preload (built as CommonJS: sandboxed preloads cannot be ESM). Exposes `window.peerlab`, a
 * narrow frame pipe to the LabHost: never `ipcRenderer` itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT, IPC_OPEN_WINDOW, type PeerlabBridge } from '../../src/host/bridge.js';
import type { CallFrame, EventFrame, HostFrame } from '../../src/host/contract.js';

const bridge: PeerlabBridge = {
  transport: 'ipc',
  call: (frame: CallFrame) => ipcRenderer.invoke(IPC_CALL, frame) as Promise<HostFrame>,
  onEvent(listener: (frame: EventFrame) => void) {
    const handler = (_e: IpcRendererEvent, frame: EventFrame): void => listener(frame);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  openWindow: () => ipcRenderer.invoke(IPC_OPEN_WINDOW) as Promise<void>,
};

contextBridge.exposeInMainWorld('peerlab', bridge);

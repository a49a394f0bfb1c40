/**
 * Electron IPC adapter of LabHost: one `invoke` channel for call frames (checked sender, then the
 * router validates the frame as it does for WebSocket), events pushed to every window. Nothing from
 * a renderer is trusted: a refused sender gets an error frame, never a throw into Electron.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { logger } from '../src/core/index.js';
import { IPC_CALL, IPC_EVENT, IPC_OPEN_WINDOW } from '../src/host/bridge.js';
import type { HostFrame } from '../src/host/contract.js';
import type { Host } from '../src/host/index.js';
import { checkSender, type SenderPolicy } from './sender.js';

export interface IpcAdapterOptions {
  ipcMain: IpcMain;
  host: Host;
  policy: SenderPolicy;
  /** The windows' webContents, for events. */
  targets: () => WebContents[];
  openWindow: () => void;
  log?: (msg: string) => void;
}

function senderOf(e: IpcMainInvokeEvent): { url: string; isMainFrame: boolean; webContentsId: number } | null {
  const frame = e.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame === e.sender.mainFrame, webContentsId: e.sender.id };
}

export function attachIpc(opts: IpcAdapterOptions): () => void {
  const log = opts.log ?? ((m: string) => logger('main:ipc').warn(m));
  opts.ipcMain.handle(IPC_CALL, async (e, frame: unknown): Promise<HostFrame> => {
    const verdict = checkSender(senderOf(e), opts.policy);
    if (!verdict.ok) {
      log(`peerlab: refused IPC call: ${verdict.reason}`);
      return { type: 'error', id: null, error: { code: 'bad_frame', message: `sender refused: ${verdict.reason}` } };
    }
    return opts.host.router.handleFrame(frame);
  });
  opts.ipcMain.handle(IPC_OPEN_WINDOW, (e) => {
    const verdict = checkSender(senderOf(e), opts.policy);
    if (!verdict.ok) {
      log(`peerlab: refused open-window: ${verdict.reason}`);
      return;
    }
    opts.openWindow();
  });
  const unsubscribe = opts.host.router.subscribe((frame) => {
    for (const wc of opts.targets()) if (!wc.isDestroyed()) wc.send(IPC_EVENT, frame);
  });
  return () => {
    unsubscribe();
    opts.ipcMain.removeHandler(IPC_CALL);
    opts.ipcMain.removeHandler(IPC_OPEN_WINDOW);
  };
}

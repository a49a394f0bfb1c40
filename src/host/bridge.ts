/**
 * The one type shared across Electron's bridge: what the preload exposes as `window.peerlab`. It is
 * a frame pipe, not raw IPC: `call` sends one call frame and resolves with the host's answer frame;
 * `onEvent` gets event frames. Main validates every frame (and its sender) before acting on it.
 */
import type { CallFrame, EventFrame, HostFrame } from './contract.js';

export interface PeerlabBridge {
  readonly transport: 'ipc';
  /** Resolves with the result or error frame for this call. */
  call(frame: CallFrame): Promise<HostFrame>;
  /** Subscribes to host events; returns the unsubscribe function. */
  onEvent(listener: (frame: EventFrame) => void): () => void;
  /** Asks main to open another window on the same lab. */
  openWindow(): Promise<void>;
}

/** IPC channel names (main <-> preload). */
export const IPC_CALL = 'peerlab:call';
export const IPC_EVENT = 'peerlab:event';
export const IPC_OPEN_WINDOW = 'peerlab:open-window';

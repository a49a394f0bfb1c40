/**
 * Messages between LabHost (the host's main thread) and its simulation worker. Calls go in order; a
 * superseding call (a newer seek, load, pause...) also bumps a shared counter, which the worker's long
 * work polls between slices, so the newer call does not wait for the older one to finish.
 */
import type { KeyframePolicy } from './keyframe-store.js';

export interface WorkerInit {
  scenariosDir: string | null;
  /** A module exporting `drivers` (tests); default: the lab's registry. */
  driversModule: string | null;
  tickMs?: number;
  publishEveryMs?: number;
  maxPeers?: number;
  maxTickWallMs?: number;
  recordingLimits?: { maxFrames?: number; maxBytes?: number };
  keyframes?: KeyframePolicy | false;
  /** Int32Array(1): the interrupt generation. */
  interrupt: SharedArrayBuffer;
}

export type ToWorker = { type: 'call'; id: number; cmd: string; args: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string; issues?: { path: string; message: string }[] } }
  | { type: 'event'; event: string; data: unknown };

/** Commands after which whatever the worker is doing is moot: they interrupt it. */
export const SUPERSEDING = new Set(['lab.load', 'lab.seek', 'lab.step', 'lab.reset', 'lab.pause', 'lab.replay.open', 'lab.replay.close', 'lab.replay.resimulate']);

/**
 * LabHost on the host's main thread: the `lab.*` commands forwarded to a simulation worker (worker.ts,
 * running a `Lab`), the worker's events relayed to every client. The main thread only routes frames,
 * so a heavy command (a seek far back, a big scenario) cannot stall another client's call, and a
 * worker that runs out of memory is replaced without taking the host (the Electron app) with it.
 *
 * A superseding command (a newer seek, load, pause...) bumps a counter shared with the worker, whose
 * long work stops between slices when it changes: dragging the timeline does not queue up seeks.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { GroupHandlers } from '../contract.js';
import type { labGroup } from '../lab-group.js';
import { CommandError } from '../router.js';
import type { KeyframePolicy } from './keyframe-store.js';
import { SUPERSEDING, type FromWorker, type ToWorker, type WorkerInit } from './wire.js';

export interface LabHostOptions {
  /** Folder of bundled scenarios. */
  scenariosDir?: string;
  /** Where the worker's events go (the router's emit). */
  emit: (event: string, data: unknown) => void;
  /** A module exporting `drivers` to use instead of the registry (tests). */
  driversModule?: string;
  tickMs?: number;
  publishEveryMs?: number;
  maxPeers?: number;
  maxTickWallMs?: number;
  recordingLimits?: { maxFrames?: number; maxBytes?: number };
  keyframes?: KeyframePolicy | false;
  /** The worker's heap limits (default: old generation 4 GiB). */
  resourceLimits?: ResourceLimits;
  /** The worker's entry (a bundled build passes its compiled worker). Default: the TypeScript source through tsx. */
  workerEntry?: URL;
  log?: (msg: string) => void;
}

interface Pending {
  cmd: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class LabHost {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly interrupt = new SharedArrayBuffer(4);
  private readonly flag = new Int32Array(this.interrupt);
  private closed = false;
  /** The last load that worked: a replacement worker loads it again. */
  private lastLoad: Record<string, unknown> | null = null;
  private readonly log: (msg: string) => void;
  /** Worker restarts after a failure (for tests and logs). */
  restarts = 0;

  constructor(private readonly opts: LabHostOptions) {
    this.log = opts.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.spawn();
  }

  /** Sends a `lab.*` command to the worker; resolves with its result, rejects with CommandError or Error. */
  call(cmd: string, args?: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new CommandError('the lab is closed'));
    const id = this.nextId++;
    if (SUPERSEDING.has(cmd)) Atomics.add(this.flag, 0, 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        cmd,
        resolve: (v) => {
          if (cmd === 'lab.load') this.lastLoad = (args ?? {}) as Record<string, unknown>;
          resolve(v);
        },
        reject,
      });
      this.worker.postMessage({ type: 'call', id, cmd, args } satisfies ToWorker);
    });
  }

  /** Handlers for the router: every `lab.*` command goes to the worker. */
  handlers(): GroupHandlers<typeof labGroup> {
    const names = [
      'lab.scenarios', 'lab.load', 'lab.play', 'lab.pause', 'lab.step', 'lab.speed', 'lab.reset', 'lab.state', 'lab.snapshot', 'lab.seek',
      'lab.series', 'lab.record.start', 'lab.record.stop', 'lab.record.save', 'lab.replay.open', 'lab.replay.close', 'lab.replay.resimulate',
      'lab.join', 'lab.observation', 'lab.inspect', 'lab.validate', 'lab.scenario.text',
    ] as const;
    const out: Record<string, (a: unknown) => Promise<unknown>> = {};
    for (const n of names) out[n] = (a) => this.call(n, a);
    return out as unknown as GroupHandlers<typeof labGroup>;
  }

  async close(): Promise<void> {
    this.closed = true;
    Atomics.add(this.flag, 0, 1);
    for (const p of this.pending.values()) p.reject(new CommandError('the lab is closed'));
    this.pending.clear();
    await this.worker.terminate();
  }

  private spawn(): void {
    const o = this.opts;
    const init: WorkerInit = {
      scenariosDir: o.scenariosDir ?? null,
      driversModule: o.driversModule ?? null,
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      ...(o.publishEveryMs !== undefined ? { publishEveryMs: o.publishEveryMs } : {}),
      ...(o.maxPeers !== undefined ? { maxPeers: o.maxPeers } : {}),
      ...(o.maxTickWallMs !== undefined ? { maxTickWallMs: o.maxTickWallMs } : {}),
      ...(o.recordingLimits ? { recordingLimits: o.recordingLimits } : {}),
      ...(o.keyframes !== undefined ? { keyframes: o.keyframes } : {}),
      interrupt: this.interrupt,
    };
    const w = new Worker(o.workerEntry ?? new URL('./worker-entry.mjs', import.meta.url), {
      workerData: init,
      resourceLimits: o.resourceLimits ?? { maxOldGenerationSizeMb: 4096 },
      stdout: false,
      stderr: false,
    });
    this.worker = w;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'event') this.opts.emit(m.event, m.data);
      else if (m.type === 'result') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(remoteError(m.error));
      }
    });
    let failed: Error | null = null;
    w.on('error', (err) => {
      failed = err;
    });
    w.on('exit', (code) => {
      if (this.closed || this.worker !== w) return;
      const why =
        (failed as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the simulation ran out of memory (limit ${this.opts.resourceLimits?.maxOldGenerationSizeMb ?? 4096} MB)`
          : `the simulation stopped (${failed?.message ?? `exit code ${code}`})`;
      this.log(`LabHost: ${why}; starting it again`);
      for (const p of this.pending.values()) p.reject(new CommandError(`${p.cmd}: ${why}; the lab was started again`));
      this.pending.clear();
      this.restarts++;
      this.spawn();
      if (this.lastLoad) this.call('lab.load', this.lastLoad).catch((e: Error) => this.log(`LabHost: reloading after a restart failed: ${e.message}`));
    });
  }
}

/** An error from the worker as the router expects it: user errors stay user errors. */
function remoteError(e: { name: string; message: string; issues?: { path: string; message: string }[] }): Error {
  if (e.name === 'CommandError' || e.name === 'ScenarioError' || e.name === 'ConfigError' || e.name === 'RangeError' || e.name === 'RecordingError')
    return new CommandError(e.message, e.issues);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

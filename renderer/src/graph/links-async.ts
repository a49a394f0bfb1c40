/**
 * The page's side of the link worker (links-worker.ts): one picture in flight at a time, the groups
 * sent only when they changed, the picture's buffer handed back for the next one. Where no worker
 * can start (or it fails), `usable` turns false and the view draws its links on the page instead.
 */
import type { LinkGroup, Viewport } from './draw.js';
import type { RasterGroup } from './raster.js';

/** A picture to draw: the link groups (when they changed), the canvas's size and the viewport, in device pixels. */
export interface LinkJob {
  seq: number;
  groups?: RasterGroup[];
  width: number;
  height: number;
  zoom: number;
  panX: number;
  panY: number;
  /** A finished picture's buffer, given back to be drawn into. */
  buffer?: ArrayBuffer;
}

export type LinkReply = { seq: number; buffer: ArrayBuffer; width: number; height: number } | { seq: number; error: string };

export class LinkWorker<Meta> {
  private worker: Worker | null = null;
  private failed = false;
  private seq = 0;
  /** The job in flight and what its caller said of it. */
  private pending: { seq: number; meta: Meta } | null = null;
  private sent: readonly LinkGroup[] | null = null;
  private spare: ArrayBuffer | null = null;

  /** `done` gets each picture, or null when the worker failed (then `usable` is false). */
  constructor(private readonly done: (meta: Meta, picture: ImageData | null) => void) {}

  get usable(): boolean {
    return !this.failed && typeof Worker !== 'undefined';
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Starts drawing `groups` at `v` on a width x height picture (device pixels; one per CSS pixel). */
  post(meta: Meta, groups: readonly LinkGroup[], width: number, height: number, v: Viewport): void {
    const w = this.start();
    if (!w || this.pending) return;
    const job: LinkJob = { seq: ++this.seq, width, height, zoom: v.zoom, panX: v.panX, panY: v.panY };
    const transfer: Transferable[] = [];
    if (this.sent !== groups) {
      job.groups = groups.map((g) => ({ rgb: g.rgb, dashed: g.dashed, coords: g.coords }));
      this.sent = groups;
    }
    if (this.spare && this.spare.byteLength === width * height * 4) {
      job.buffer = this.spare;
      transfer.push(this.spare);
    }
    this.spare = null;
    this.pending = { seq: job.seq, meta };
    w.postMessage(job, transfer);
  }

  /** Gives a picture's buffer back once it is on the canvas. */
  recycle(picture: ImageData): void {
    this.spare = picture.data.buffer as ArrayBuffer;
  }

  private start(): Worker | null {
    if (this.worker || !this.usable) return this.worker;
    try {
      this.worker = new Worker(new URL('./links-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      this.fail();
      return null;
    }
    this.worker.onmessage = (e: MessageEvent<LinkReply>) => {
      const r = e.data;
      const p = this.pending;
      if (!p || p.seq !== r.seq) return;
      this.pending = null;
      if ('error' in r) return this.fail();
      this.done(p.meta, new ImageData(new Uint8ClampedArray(r.buffer), r.width, r.height));
    };
    this.worker.onerror = () => this.fail();
    this.worker.onmessageerror = () => this.fail();
    return this.worker;
  }

  private fail(): void {
    this.failed = true;
    this.worker?.terminate();
    this.worker = null;
    const p = this.pending;
    this.pending = null;
    if (p) this.done(p.meta, null);
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
    this.pending = null;
    this.failed = true;
  }
}

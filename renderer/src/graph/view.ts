/**
 * The peer graph on screen: three stacked canvases (links, peers, overlay) drawn from a Scene, each
 * redrawn only when what it shows changed (a colour change does not redraw the links), at most once
 * per animation frame. Pan (drag) and zoom (wheel) move the cached layers with a CSS transform while
 * the hand moves and draw them again sharp when it rests, so interaction stays smooth whatever the
 * graph's size. Hover and click find the peer under the pointer through a grid of peers' places.
 *
 * A big graph's links (one device pixel per CSS pixel) are rasterised in a worker (links-async.ts):
 * while it draws them, this thread is free, and when the picture arrives the peer and overlay layers
 * are drawn with it, so the three layers on screen always show the same viewport and places.
 */
import { drawLinks, drawOverlay, drawPeers, dotSize, linkGroups, NO_FOCUS, radiusOf, type Focus, type LinkGroup, type Viewport } from './draw.js';
import { LinkWorker } from './links-async.js';
import type { Scene } from './scene.js';

export interface ViewEvents {
  tap(peer: number | null): void;
  hover(peer: number | null, x: number, y: number): void;
}

type Layer = 'links' | 'peers' | 'overlay';
const LAYERS: Layer[] = ['links', 'peers', 'overlay'];
/** Wall ms after the last wheel or drag before the layers are drawn again sharp. */
const REST_MS = 120;

export class GraphView {
  readonly viewport: Viewport = { zoom: 1, panX: 0, panY: 0 };
  focus: Focus = NO_FOCUS;
  /** Frames drawn (any layer): what a benchmark counts. */
  frames = 0;
  private readonly canvases = new Map<Layer, HTMLCanvasElement>();
  private readonly drawn = new Map<Layer, string>();
  /** The viewport the layers were last drawn at (the CSS transform is relative to it). */
  private drawnAt: Viewport = { zoom: 1, panX: 0, panY: 0 };
  private raf = 0;
  private restTimer: ReturnType<typeof setTimeout> | null = null;
  private moving = false;
  /** Whether the user panned or zoomed: until then the view keeps the peers fitted as the box resizes. */
  private userMoved = false;
  private grid = new Map<string, number[]>();
  private gridKey = '';
  private cell = 20;
  private ratio = 1;
  private readonly resizeObs: ResizeObserver;
  private drag: { x: number; y: number; panX: number; panY: number; moved: boolean } | null = null;
  private readonly off: (() => void)[] = [];
  /** The link layer's groups and what they were computed from (links, places, focus). */
  private groups: { key: string; groups: LinkGroup[] } = { key: '', groups: [] };
  /** Bumped by a full redraw: a link picture started before it does not count as drawn after it. */
  private epoch = 0;
  /** A link picture (and the layers drawn with it) was put on the canvases since the last animation frame. */
  private unshown = false;
  private readonly linkWorker = new LinkWorker<{ key: string; epoch: number }>((job, picture) => this.linksArrived(job, picture));

  constructor(
    private readonly box: HTMLElement,
    private readonly scene: Scene,
    private readonly events: ViewEvents,
    readonly minZoom = 0.05,
    readonly maxZoom = 4,
  ) {
    for (const l of LAYERS) {
      const c = document.createElement('canvas');
      c.dataset.layer = l;
      c.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;transform-origin:0 0;pointer-events:none';
      box.appendChild(c);
      this.canvases.set(l, c);
    }
    this.resizeObs = new ResizeObserver(() => this.resize());
    this.resizeObs.observe(box);
    this.resize();
    this.listen('wheel', (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen('pointerdown', (e) => this.onDown(e as PointerEvent));
    this.listen('pointermove', (e) => this.onMove(e as PointerEvent));
    this.listen('pointerup', (e) => this.onUp(e as PointerEvent));
    this.listen('pointerleave', () => this.events.hover(null, 0, 0));
  }

  private listen(type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    this.box.addEventListener(type, fn, opts);
    this.off.push(() => this.box.removeEventListener(type, fn, opts));
  }

  /** Asks for a redraw of what changed (checked against the scene's versions and the focus). */
  invalidate(): void {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.render());
  }

  /** Draws every layer again from scratch on the next frame (a benchmark's full redraw). */
  redrawAll(): void {
    this.epoch++;
    this.drawn.clear();
    this.invalidate();
  }

  setFocus(f: Focus): void {
    this.focus = f;
    this.invalidate();
  }

  private resize(): void {
    const w = this.box.clientWidth;
    const h = this.box.clientHeight;
    this.ratio = this.wantedRatio();
    for (const c of this.canvases.values()) {
      c.width = Math.max(1, Math.round(w * this.ratio));
      c.height = Math.max(1, Math.round(h * this.ratio));
    }
    if (!this.userMoved) this.fit();
    this.redrawAll();
  }

  get width(): number {
    return this.box.clientWidth;
  }
  get height(): number {
    return this.box.clientHeight;
  }

  /** What a layer shows, as a key: the layer is drawn again only when its key changes. */
  private keyOf(l: Layer): string {
    const v = this.viewport;
    const s = this.scene;
    const f = this.focus;
    const base = `${v.zoom}|${v.panX}|${v.panY}|${s.placesVersion}|${this.ratio}`;
    const focus = `${f.selected}|${f.states ? [...f.states].join(',') : '*'}|${[...f.marked].join(',')}`;
    // links dim by their ends' states only under a state filter; peers dim by links only around a selection
    if (l === 'links') return `${base}|${s.edgesVersion}|${f.states ? s.nodesVersion : ''}|${focus}`;
    if (l === 'peers') return `${base}|${s.nodesVersion}|${focus}|${f.selected !== null ? s.edgesVersion : ''}`;
    return `${base}|${s.edgesVersion}|${s.nodesVersion}|${focus}|${f.hover}|${f.path?.join(',') ?? ''}`;
  }

  /** Pixels per CSS pixel: the screen's for a few hundred peers, one beyond a thousand (4x less to fill). */
  private wantedRatio(): number {
    return this.scene.size > 1000 ? 1 : Math.min(2, window.devicePixelRatio || 1);
  }

  private render(): void {
    this.raf = 0;
    if (this.moving) return;
    if (this.wantedRatio() !== this.ratio) this.resize();
    let any = false;
    const linksKey = this.keyOf('links');
    if (this.drawn.get('links') !== linksKey && this.inWorker()) {
      // the other layers wait for the links' picture and are drawn with it
      if (!this.linkWorker.busy) this.postLinks(linksKey);
    } else {
      for (const l of LAYERS) any = this.drawLayer(l) || any;
      if (any) this.shown();
    }
    if (any || this.unshown) {
      // counted once per animation frame: what a frame shows
      this.frames++;
      this.unshown = false;
    }
  }

  /** Draws a layer if what it shows changed; whether it did. */
  private drawLayer(l: Layer): boolean {
    const key = this.keyOf(l);
    if (this.drawn.get(l) === key) return false;
    const ctx = (this.canvases.get(l) as HTMLCanvasElement).getContext('2d');
    if (!ctx) return false;
    if (l === 'links') drawLinks(ctx, this.linkGroups(), this.viewport, this.ratio);
    else if (l === 'peers') drawPeers(ctx, this.scene, this.focus, this.viewport, this.ratio);
    else drawOverlay(ctx, this.scene, this.focus, this.viewport, this.ratio);
    this.drawn.set(l, key);
    return true;
  }

  /** The layers now show the viewport: no CSS transform left. */
  private shown(): void {
    this.drawnAt = { ...this.viewport };
    for (const c of this.canvases.values()) c.style.transform = '';
  }

  /** Links go to the worker at one device pixel per CSS pixel (where raster.ts draws them), if it runs. */
  private inWorker(): boolean {
    return this.ratio === 1 && this.linkWorker.usable;
  }

  private postLinks(key: string): void {
    const c = this.canvases.get('links') as HTMLCanvasElement;
    this.linkWorker.post({ key, epoch: this.epoch }, this.linkGroups(), c.width, c.height, this.viewport);
  }

  private linksArrived(job: { key: string; epoch: number }, picture: ImageData | null): void {
    const c = this.canvases.get('links') as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    const key = this.keyOf('links');
    const fits = !!picture && !!ctx && !this.moving && job.key === key && picture.width === c.width && picture.height === c.height;
    const current = fits && job.epoch === this.epoch;
    // the next picture first, so the worker draws it while this thread draws the peers of this one
    if (!current && !this.moving && this.inWorker()) this.postLinks(key);
    if (fits && picture && ctx) {
      ctx.putImageData(picture, 0, 0);
      if (current) this.drawn.set('links', job.key);
      this.drawLayer('peers');
      this.drawLayer('overlay');
      this.shown();
      this.unshown = true;
    }
    if (picture) this.linkWorker.recycle(picture);
    this.invalidate();
  }

  private linkGroups(): LinkGroup[] {
    const s = this.scene;
    const f = this.focus;
    const key = `${s.edgesVersion}|${s.placesVersion}|${f.states ? `${[...f.states].join(',')}|${s.nodesVersion}` : '*'}|${f.selected}`;
    if (this.groups.key !== key) this.groups = { key, groups: linkGroups(s, f) };
    return this.groups.groups;
  }

  // ---- viewport ------------------------------------------------------------------------------

  /** Fits the peers in view with `padding` pixels around (zoom capped, so a few peers stay their size). */
  fit(padding = 24, byUser = false): void {
    if (byUser) this.userMoved = false;
    const b = this.scene.bounds();
    if (!b) return;
    const w = Math.max(1, this.width - 2 * padding);
    const h = Math.max(1, this.height - 2 * padding);
    const zoom = Math.min(this.maxZoom, 1.5, Math.max(this.minZoom, Math.min(w / Math.max(1, b.x2 - b.x1), h / Math.max(1, b.y2 - b.y1))));
    this.viewport.zoom = zoom;
    this.viewport.panX = this.width / 2 - ((b.x1 + b.x2) / 2) * zoom;
    this.viewport.panY = this.height / 2 - ((b.y1 + b.y2) / 2) * zoom;
    this.invalidate();
  }

  /** Centres the view on a peer (zooming in to at least 1). */
  centerOn(peer: number): void {
    const n = this.scene.nodes.get(peer);
    if (!n) return;
    this.viewport.zoom = Math.max(this.viewport.zoom, 1);
    this.viewport.panX = this.width / 2 - n.x * this.viewport.zoom;
    this.viewport.panY = this.height / 2 - n.y * this.viewport.zoom;
    this.invalidate();
  }

  /** Where a peer is on screen (CSS pixels from the box's corner). */
  screenOf(peer: number): { x: number; y: number } | null {
    const n = this.scene.nodes.get(peer);
    if (!n) return null;
    return { x: n.x * this.viewport.zoom + this.viewport.panX, y: n.y * this.viewport.zoom + this.viewport.panY };
  }

  /** Moves the cached layers as the viewport moves; draws them again when the hand rests. */
  private moved(): void {
    this.moving = true;
    this.userMoved = true;
    const a = this.drawnAt;
    const v = this.viewport;
    const s = v.zoom / a.zoom;
    const tx = v.panX - a.panX * s;
    const ty = v.panY - a.panY * s;
    for (const c of this.canvases.values()) c.style.transform = `translate(${tx}px, ${ty}px) scale(${s})`;
    if (this.restTimer) clearTimeout(this.restTimer);
    this.restTimer = setTimeout(() => {
      this.restTimer = null;
      this.moving = false;
      this.invalidate();
    }, REST_MS);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.box.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const v = this.viewport;
    const zoom = Math.min(this.maxZoom, Math.max(this.minZoom, v.zoom * Math.exp(-e.deltaY * 0.0015)));
    // keep the point under the pointer where it is
    v.panX = x - ((x - v.panX) * zoom) / v.zoom;
    v.panY = y - ((y - v.panY) * zoom) / v.zoom;
    v.zoom = zoom;
    this.events.hover(null, 0, 0);
    this.moved();
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, panX: this.viewport.panX, panY: this.viewport.panY, moved: false };
    this.box.setPointerCapture?.(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    const d = this.drag;
    if (d) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (!d.moved && Math.hypot(dx, dy) < 4) return;
      d.moved = true;
      this.viewport.panX = d.panX + dx;
      this.viewport.panY = d.panY + dy;
      this.events.hover(null, 0, 0);
      this.moved();
      return;
    }
    if (this.moving) return;
    const r = this.box.getBoundingClientRect();
    const peer = this.peerAt(e.clientX - r.left, e.clientY - r.top);
    const p = peer === null ? null : this.screenOf(peer);
    this.events.hover(peer, p?.x ?? 0, p?.y ?? 0);
  }

  private onUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (!d || d.moved) return;
    const r = this.box.getBoundingClientRect();
    this.events.tap(this.peerAt(e.clientX - r.left, e.clientY - r.top));
  }

  // ---- hit testing ---------------------------------------------------------------------------

  /** The peer under a screen point (within its dot, or 4 px of it), the nearest if several. */
  peerAt(x: number, y: number): number | null {
    const v = this.viewport;
    const mx = (x - v.panX) / v.zoom;
    const my = (y - v.panY) / v.zoom;
    this.indexPlaces();
    const size = dotSize(this.scene.size);
    const slack = 4 / v.zoom;
    const cx = Math.floor(mx / this.cell);
    const cy = Math.floor(my / this.cell);
    let best: number | null = null;
    let bestD = Infinity;
    for (let i = -1; i <= 1; i++)
      for (let j = -1; j <= 1; j++)
        for (const peer of this.grid.get(`${cx + i},${cy + j}`) ?? []) {
          const n = this.scene.nodes.get(peer);
          if (!n) continue;
          const dist = Math.hypot(n.x - mx, n.y - my);
          if (dist <= radiusOf(n, size, this.scene.valueRange) + slack && dist < bestD) {
            best = peer;
            bestD = dist;
          }
        }
    return best;
  }

  private indexPlaces(): void {
    const key = `${this.scene.placesVersion}|${this.scene.nodesVersion}`;
    if (key === this.gridKey) return;
    this.gridKey = key;
    // cells at least a dot across (and the pointer's slack), so a hit is always in the 3x3 around it
    this.cell = Math.max(dotSize(this.scene.size) * 1.6, 8 / Math.max(this.viewport.zoom, this.minZoom), 20);
    this.grid.clear();
    for (const n of this.scene.nodes.values()) {
      const k = `${Math.floor(n.x / this.cell)},${Math.floor(n.y / this.cell)}`;
      const g = this.grid.get(k);
      if (g) g.push(n.peer);
      else this.grid.set(k, [n.peer]);
    }
  }

  // ---- pictures --------------------------------------------------------------------------------

  /** Every peer and link drawn at `scale`, fitted with a margin, on white: the graph as a PNG. */
  async png(scale = 2, margin = 20): Promise<Blob | null> {
    const b = this.scene.bounds();
    if (!b) return null;
    const size = dotSize(this.scene.size);
    const w = b.x2 - b.x1 + 2 * margin + size;
    const h = b.y2 - b.y1 + 2 * margin + size;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(w * scale);
    canvas.height = Math.ceil(h * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    const v: Viewport = { zoom: 1, panX: -b.x1 + margin + size / 2, panY: -b.y1 + margin + size / 2 };
    const layer = document.createElement('canvas');
    layer.width = canvas.width;
    layer.height = canvas.height;
    const lctx = layer.getContext('2d') as CanvasRenderingContext2D;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const f = { ...this.focus, hover: null };
    drawLinks(lctx, linkGroups(this.scene, f), v, scale);
    ctx.drawImage(layer, 0, 0);
    drawPeers(lctx, this.scene, f, v, scale);
    ctx.drawImage(layer, 0, 0);
    drawOverlay(lctx, this.scene, f, v, scale);
    ctx.drawImage(layer, 0, 0);
    return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob), 'image/png'));
  }

  destroy(): void {
    this.linkWorker.destroy();
    if (this.raf) cancelAnimationFrame(this.raf);
    if (this.restTimer) clearTimeout(this.restTimer);
    this.resizeObs.disconnect();
    for (const f of this.off) f();
    for (const c of this.canvases.values()) c.remove();
  }
}

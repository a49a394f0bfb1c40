/**
 * Drawing the peer graph on a 2D canvas, in three layers the view caches separately: links, peers,
 * and an overlay (the selected peer's links and rings, rewiring marks, a lookup's path, labels).
 * Everything of one look is drawn as one path (all grey links in one stroke, all peers of one colour
 * in one fill), which is what makes thousands of peers cheap: a canvas pays per stroke and per fill
 * far more than per segment. Links are drawn opaque (their colour blended with the white background
 * beforehand), which halves the cost of alpha blending in software rendering.
 */
import { MARK_COLOUR, PATH_COLOUR, REWIRED_IN, REWIRED_OUT } from '../observe/palette.js';
import { DASH, LineRaster, rasterGroups } from './raster.js';
import type { Scene, SceneEdge, SceneNode } from './scene.js';

export interface Viewport {
  zoom: number;
  panX: number;
  panY: number;
}

export interface Focus {
  selected: number | null;
  /** States shown in full (`offline` for offline peers); null shows all. */
  states: ReadonlySet<string> | null;
  marked: ReadonlySet<number>;
  path: readonly number[] | null;
  hover: number | null;
}

export const NO_FOCUS: Focus = { selected: null, states: null, marked: new Set(), path: null, hover: null };

/** Dot diameter (model units) for a population drawn: bigger for small swarms, smaller for thousands. */
export function dotSize(n: number): number {
  return n <= 300 ? 14 : n <= 1000 ? 10 : 7;
}

/**
 * A peer's radius: its value scales it from half to 1.6 times the dot, over `range` (0..1 for a share
 * such as reputation or progress; the drawn peers' lowest to highest for other units).
 */
export function radiusOf(n: SceneNode, size: number, range: readonly [number, number] = [0, 1]): number {
  if (n.value === undefined) return size / 2;
  const span = range[1] - range[0];
  const t = span > 0 ? (n.value - range[0]) / span : 1;
  return (size * (0.5 + 1.1 * Math.min(1, Math.max(0, t)))) / 2;
}

const LINK_ALPHA = 0.55;
const DIM_NODE_ALPHA = 0.12;
const DIM_LINK_ALPHA = 0.05;
const OFFLINE_ALPHA = 0.45;

/** `#rrggbb` (or `rgb(...)`) mixed with white: the opaque colour a translucent line shows on white. */
export function onWhite(colour: string, alpha: number): string {
  const rgb = parseColour(colour);
  if (!rgb) return colour;
  const m = (c: number): number => Math.round(c * alpha + 255 * (1 - alpha));
  return `rgb(${m(rgb[0])},${m(rgb[1])},${m(rgb[2])})`;
}

const parsed = new Map<string, [number, number, number] | null>();
export function parseColour(c: string): [number, number, number] | null {
  const hit = parsed.get(c);
  if (hit !== undefined) return hit;
  let out: [number, number, number] | null = null;
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const v = parseInt(hex[1] as string, 16);
    out = [v >> 16, (v >> 8) & 255, v & 255];
  } else {
    const m = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(c);
    if (m) out = [Number(m[1]), Number(m[2]), Number(m[3])];
    else {
      const h = /^hsl\(\s*([\d.]+)\s*,\s*([\d.]+)%\s*,\s*([\d.]+)%\s*\)$/.exec(c);
      if (h) out = hslToRgb(Number(h[1]), Number(h[2]) / 100, Number(h[3]) / 100);
    }
  }
  parsed.set(c, out);
  return out;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))));
  return [f(0), f(8), f(4)];
}

/** What focus says of each peer: dimmed (filtered out, or away from the selected peer). */
export function focusOf(scene: Scene, f: Focus): { dimNode(n: SceneNode): boolean; dimEdge(e: SceneEdge): boolean; nearEdge(e: SceneEdge): boolean } {
  const sel = f.selected !== null && scene.nodes.has(f.selected) ? f.selected : null;
  const around = sel !== null ? scene.neighbours(sel) : null;
  const stateOut = (n: SceneNode | undefined): boolean => !!f.states && !!n && !f.states.has(n.alive ? n.state : 'offline');
  const dimNode = (n: SceneNode): boolean => {
    if (n.peer === sel || f.marked.has(n.peer)) return false;
    if (around && !around.has(n.peer)) return true;
    return !around && stateOut(n);
  };
  return {
    dimNode,
    dimEdge: (e) => (sel !== null ? e.a !== sel && e.b !== sel : stateOut(scene.nodes.get(e.a)) || stateOut(scene.nodes.get(e.b))),
    nearEdge: (e) => sel !== null && (e.a === sel || e.b === sel),
  };
}

type Ctx = CanvasRenderingContext2D;

function clear(ctx: Ctx): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/** Links of one look, as model coordinates x1, y1, x2, y2 per link (`rgb`: the colour, parsed). */
export interface LinkGroup {
  colour: string;
  rgb: readonly [number, number, number];
  dashed: boolean;
  coords: Float32Array;
}

/**
 * The link layer's links grouped by look (colour, dashes, dimmed), marked and highlighted ones left to
 * the overlay. Computed when links, places or the focus change, not on every frame.
 */
export function linkGroups(scene: Scene, f: Focus): LinkGroup[] {
  const fo = focusOf(scene, f);
  const groups = new Map<string, { colour: string; dashed: boolean; list: number[] }>();
  for (const e of scene.edges.values()) {
    if (e.mark || fo.nearEdge(e)) continue; // on the overlay
    const a = scene.nodes.get(e.a);
    const b = scene.nodes.get(e.b);
    if (!a || !b) continue;
    const dim = fo.dimEdge(e);
    const key = `${e.colour}|${e.dashed ? 1 : 0}|${dim ? 1 : 0}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { colour: onWhite(e.colour, dim ? DIM_LINK_ALPHA : LINK_ALPHA), dashed: e.dashed, list: [] }));
    g.list.push(a.x, a.y, b.x, b.y);
  }
  return [...groups.values()].map((g) => ({ colour: g.colour, rgb: parseColour(g.colour) ?? FALLBACK_RGB, dashed: g.dashed, coords: Float32Array.from(g.list) }));
}

/** The JS line rasteriser of each link canvas (kept: its buffers are the canvas's size). */
const rasters = new WeakMap<Ctx, LineRaster>();
/** A colour the canvas would not parse (never one of the palette's) draws as slate. */
const FALLBACK_RGB: readonly [number, number, number] = [148, 163, 184];

/**
 * The link layer: one stroke per look. At one device pixel per CSS pixel (the ratio of every graph
 * over 1,000 peers) the lines are rasterised in JS (raster.ts, ~3x faster than the canvas's hairlines
 * without a GPU); at other ratios the canvas strokes them. Returns the segments drawn.
 */
export function drawLinks(ctx: Ctx, groups: readonly LinkGroup[], v: Viewport, ratio: number): number {
  if (ratio === 1) return rasterLinks(ctx, groups, v);
  clear(ctx);
  const z = v.zoom * ratio;
  const px = v.panX * ratio;
  const py = v.panY * ratio;
  let segments = 0;
  ctx.lineWidth = ratio;
  for (const g of groups) {
    ctx.strokeStyle = g.colour;
    ctx.setLineDash(g.dashed ? [DASH[0] * ratio, DASH[1] * ratio] : []);
    ctx.beginPath();
    const c = g.coords;
    for (let i = 0; i < c.length; i += 4) {
      ctx.moveTo((c[i] as number) * z + px, (c[i + 1] as number) * z + py);
      ctx.lineTo((c[i + 2] as number) * z + px, (c[i + 3] as number) * z + py);
    }
    segments += c.length / 4;
    ctx.stroke();
  }
  ctx.setLineDash([]);
  return segments;
}

function rasterLinks(ctx: Ctx, groups: readonly LinkGroup[], v: Viewport): number {
  let r = rasters.get(ctx);
  if (!r) rasters.set(ctx, (r = new LineRaster()));
  r.begin(ctx.canvas.width, ctx.canvas.height);
  const segments = rasterGroups(r, groups, v.zoom, v.panX, v.panY);
  r.put(ctx);
  return segments;
}

/** The peer layer: one fill per colour and alpha, then the borders (white, or dashed grey when offline). */
export function drawPeers(ctx: Ctx, scene: Scene, f: Focus, v: Viewport, ratio: number): void {
  clear(ctx);
  const fo = focusOf(scene, f);
  const size = dotSize(scene.size);
  const z = v.zoom * ratio;
  const groups = new Map<string, SceneNode[]>();
  for (const n of scene.nodes.values()) {
    const alpha = fo.dimNode(n) ? DIM_NODE_ALPHA : n.alive ? 1 : OFFLINE_ALPHA;
    const key = `${n.colour}|${alpha}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(n);
  }
  for (const [key, nodes] of groups) {
    const [colour, alpha] = key.split('|') as [string, string];
    ctx.globalAlpha = Number(alpha);
    ctx.fillStyle = colour;
    ctx.beginPath();
    for (const n of nodes) circle(ctx, n.x * z + v.panX * ratio, n.y * z + v.panY * ratio, radiusOf(n, size, scene.valueRange) * z);
    ctx.fill();
    if (Number(alpha) === DIM_NODE_ALPHA) continue;
    const live = nodes.filter((n) => n.alive);
    const dead = nodes.filter((n) => !n.alive);
    ctx.lineWidth = ratio;
    if (live.length) {
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.beginPath();
      for (const n of live) circle(ctx, n.x * z + v.panX * ratio, n.y * z + v.panY * ratio, radiusOf(n, size, scene.valueRange) * z);
      ctx.stroke();
    }
    if (dead.length) {
      ctx.strokeStyle = '#a1a1aa';
      ctx.setLineDash([2 * ratio, 1.5 * ratio]);
      ctx.beginPath();
      for (const n of dead) circle(ctx, n.x * z + v.panX * ratio, n.y * z + v.panY * ratio, radiusOf(n, size, scene.valueRange) * z);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
  ctx.globalAlpha = 1;
}

function circle(ctx: Ctx, x: number, y: number, r: number): void {
  ctx.moveTo(x + r, y);
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

/** The overlay: the selected peer's links, rewiring marks, rings, a lookup's path and labels. */
export function drawOverlay(ctx: Ctx, scene: Scene, f: Focus, v: Viewport, ratio: number): void {
  clear(ctx);
  const fo = focusOf(scene, f);
  const z = v.zoom * ratio;
  const at = (peer: number): [number, number] | null => {
    const n = scene.nodes.get(peer);
    return n ? [n.x * z + v.panX * ratio, n.y * z + v.panY * ratio] : null;
  };
  const line = (e: SceneEdge, colour: string, width: number, dash: number[] = []): void => {
    const a = at(e.a);
    const b = at(e.b);
    if (!a || !b) return;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width * ratio;
    ctx.setLineDash(dash.map((d) => d * ratio));
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  };
  for (const e of scene.edges.values()) {
    if (e.mark === 'gone') line(e, onWhite(REWIRED_OUT.colour, 0.6), 1.5, [4, 3]);
    else if (e.mark === 'fresh') line(e, REWIRED_IN.colour, 2.5);
    else if (fo.nearEdge(e)) line(e, e.colour, 1.8, e.dashed ? [4, 3] : []);
  }
  ctx.setLineDash([]);
  const size = dotSize(scene.size);
  const ring = (peer: number, colour: string, width: number): void => {
    const n = scene.nodes.get(peer);
    const p = at(peer);
    if (!n || !p) return;
    // redraw the dot itself so a ring is never under a dimmed neighbour
    ctx.globalAlpha = n.alive ? 1 : OFFLINE_ALPHA;
    ctx.fillStyle = n.colour;
    ctx.beginPath();
    circle(ctx, p[0], p[1], radiusOf(n, size, scene.valueRange) * z);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width * ratio;
    ctx.beginPath();
    circle(ctx, p[0], p[1], radiusOf(n, size, scene.valueRange) * z + (width / 2) * ratio);
    ctx.stroke();
  };
  if (f.selected !== null && scene.nodes.has(f.selected)) {
    for (const nb of scene.neighbours(f.selected)) ring(nb, '#0f172a', 1.5);
    ring(f.selected, '#0f172a', 3);
  }
  for (const m of f.marked) ring(m, MARK_COLOUR, 3);
  if (f.path && f.path.length > 1) drawPath(ctx, f.path, at, ratio);
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (const peer of [f.selected, f.hover]) {
    if (peer === null) continue;
    const n = scene.nodes.get(peer);
    const p = at(peer);
    if (!n || !p) continue;
    const y = p[1] - radiusOf(n, size, scene.valueRange) * z - 5 * ratio;
    ctx.lineWidth = 3 * ratio;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.strokeText(String(peer), p[0], y);
    ctx.fillStyle = '#0f172a';
    ctx.fillText(String(peer), p[0], y);
  }
}

/** A lookup's hops: numbered arrows from peer to peer. */
function drawPath(ctx: Ctx, path: readonly number[], at: (peer: number) => [number, number] | null, ratio: number): void {
  ctx.strokeStyle = PATH_COLOUR;
  ctx.fillStyle = PATH_COLOUR;
  ctx.lineWidth = 3 * ratio;
  ctx.font = `600 ${10 * ratio}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (let i = 1; i < path.length; i++) {
    const a = at(path[i - 1] as number);
    const b = at(path[i] as number);
    if (!a || !b) continue;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const end: [number, number] = [b[0] - ux * 7 * ratio, b[1] - uy * 7 * ratio];
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(end[0], end[1]);
    ctx.stroke();
    const h = 9 * ratio;
    ctx.beginPath();
    ctx.moveTo(end[0] + ux * 4 * ratio, end[1] + uy * 4 * ratio);
    ctx.lineTo(end[0] - ux * h - uy * h * 0.5, end[1] - uy * h + ux * h * 0.5);
    ctx.lineTo(end[0] - ux * h + uy * h * 0.5, end[1] - uy * h - ux * h * 0.5);
    ctx.closePath();
    ctx.fill();
    const mx = (a[0] + b[0]) / 2;
    const my = (a[1] + b[1]) / 2;
    ctx.fillStyle = '#fff7ed';
    ctx.fillRect(mx - 7 * ratio, my - 7 * ratio, 14 * ratio, 13 * ratio);
    ctx.fillStyle = '#92400e';
    ctx.fillText(String(i), mx, my + 4 * ratio);
    ctx.fillStyle = PATH_COLOUR;
  }
}

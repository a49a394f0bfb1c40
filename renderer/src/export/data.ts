/**
 * What the dashboard exports as data and pictures, built from what it holds: series as CSV (the same
 * long format as `peerlab run`'s series.csv), the drawn peers and links as CSV, everything as JSON, and
 * the graph as SVG (drawn from the node positions; Cytoscape itself only makes PNG). Pure (no DOM).
 */
import type { CountersData, LabState, SnapshotData } from '../../../src/host/lab-group.js';

const csvField = (x: string): string => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x);

/** `series,t_ms,value`, one row per point, series by name. */
export function seriesCsv(series: ReadonlyMap<string, { t: readonly number[]; v: readonly number[] }>): string {
  const rows = ['series,t_ms,value'];
  for (const name of [...series.keys()].sort()) {
    const s = series.get(name)!;
    for (let i = 0; i < s.t.length; i++) rows.push(`${csvField(name)},${s.t[i]},${s.v[i]}`);
  }
  return `${rows.join('\n')}\n`;
}

/** The drawn peers: `id,alive,state,value,x,y`; then the links: `a,b` after a blank line and a header. */
export function snapshotCsv(snap: SnapshotData): string {
  const rows = ['id,alive,state,value,x,y'];
  for (const p of snap.peers) rows.push([p.id, p.alive, csvField(p.state), p.value ?? '', p.x ?? '', p.y ?? ''].join(','));
  rows.push('', 'a,b');
  for (const [a, b] of snap.links) rows.push(`${a},${b}`);
  return `${rows.join('\n')}\n`;
}

export function exportJson(
  state: LabState | null,
  counters: CountersData | null,
  snapshot: SnapshotData | null,
  series: ReadonlyMap<string, { t: readonly number[]; v: readonly number[] }>,
): string {
  const s: Record<string, { t: readonly number[]; v: readonly number[] }> = {};
  for (const [k, v] of series) s[k] = { t: v.t, v: v.v };
  return JSON.stringify({ state, summary: counters?.summary ?? null, counters, snapshot, series: s }, null, 1);
}

export interface SvgNode {
  x: number;
  y: number;
  size: number;
  color: string;
  border: string;
  opacity: number;
  dashed: boolean;
}
export interface SvgEdge {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  color: string;
  width: number;
  opacity: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const r1 = (x: number): string => String(Math.round(x * 10) / 10);

/** A standalone SVG of the graph as drawn (model coordinates, fitted with a margin). */
export function graphSvg(nodes: readonly SvgNode[], edges: readonly SvgEdge[], margin = 20): string {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x - n.size / 2);
    minY = Math.min(minY, n.y - n.size / 2);
    maxX = Math.max(maxX, n.x + n.size / 2);
    maxY = Math.max(maxY, n.y + n.size / 2);
  }
  if (!Number.isFinite(minX)) minX = minY = maxX = maxY = 0;
  const w = maxX - minX + 2 * margin;
  const h = maxY - minY + 2 * margin;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${r1(minX - margin)} ${r1(minY - margin)} ${r1(w)} ${r1(h)}" width="${Math.ceil(w)}" height="${Math.ceil(h)}">`,
    `<rect x="${r1(minX - margin)}" y="${r1(minY - margin)}" width="${r1(w)}" height="${r1(h)}" fill="#ffffff"/>`,
    '<g stroke-linecap="round">',
  ];
  for (const e of edges)
    out.push(`<line x1="${r1(e.x1)}" y1="${r1(e.y1)}" x2="${r1(e.x2)}" y2="${r1(e.y2)}" stroke="${esc(e.color)}" stroke-width="${e.width}" stroke-opacity="${e.opacity}"/>`);
  out.push('</g><g>');
  for (const n of nodes)
    out.push(
      `<circle cx="${r1(n.x)}" cy="${r1(n.y)}" r="${r1(n.size / 2)}" fill="${esc(n.color)}" stroke="${esc(n.border)}" stroke-width="1"${n.dashed ? ' stroke-dasharray="2 1"' : ''} opacity="${n.opacity}"/>`,
    );
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}

/** `peerlab-<scenario>-<seed>-t<ms>`: a file name stem for exports at the time shown. */
export function exportStem(state: LabState | null, timeMs: number): string {
  const name = (state?.scenario ?? 'lab').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'lab';
  return `peerlab-${name}-seed${state?.seed ?? 0}-t${Math.round(timeMs)}`;
}

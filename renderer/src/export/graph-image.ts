/**
 * The graph as a picture to take out of the app: a caption (scenario, protocol, seed, time shown) on
 * top, the graph, and its legend (node colours with counts, link kinds) below, as SVG (built from the
 * drawn positions and colours; Cytoscape only makes PNG) or as PNG (Cytoscape's picture composed on a
 * canvas). The layout is computed once (`legendLayout`, pure) and drawn by both.
 */
import type { Legend, LegendEntry } from '../graph/legend.js';
import { formatQuantity } from '../../../src/core/format.js';

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
  dashed?: boolean;
}

const FONT = 12;
/** Average advance of a 12 px sans-serif character: lays the legend out without measuring text. */
const CHAR_W = 6.6;
const ROW_H = 18;
export const CAPTION_H = 26;

export interface PlacedEntry {
  entry: LegendEntry;
  text: string;
  x: number;
  y: number;
}

/** Places the legend's entries in rows across `width`, nodes first, then links, then the size note. */
export function legendLayout(legend: Legend, width: number): { items: PlacedEntry[]; note: { text: string; y: number } | null; height: number } {
  const items: PlacedEntry[] = [];
  let y = 8 + ROW_H / 2;
  const place = (entries: LegendEntry[]): void => {
    if (!entries.length) return;
    let x = 10;
    for (const e of entries) {
      const text = e.count === null ? e.label : `${e.label} (${formatQuantity(e.count, 'count')})`;
      const w = 26 + text.length * CHAR_W + 16;
      if (x > 10 && x + w > width - 10) {
        x = 10;
        y += ROW_H;
      }
      items.push({ entry: e, text, x, y });
      x += w;
    }
    y += ROW_H;
  };
  place(legend.nodes);
  place(legend.links);
  const note = legend.size ? { text: legend.size, y } : null;
  if (note) y += ROW_H;
  return { items, note, height: Math.ceil(y - ROW_H / 2 + 6) };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (x: number): string => String(Math.round(x * 10) / 10);

/** One legend entry's symbol (a dot for peers, a line for links) as SVG, at (x, y) = its left middle. */
function svgSymbol(e: LegendEntry, x: number, y: number): string {
  if (e.kind === 'state' || e.kind === 'offline')
    return `<circle cx="${r1(x + 6)}" cy="${r1(y)}" r="5.5" fill="${esc(e.colour)}" stroke="${e.dashed ? '#a1a1aa' : '#ffffff'}"${e.dashed ? ' stroke-dasharray="2 1" opacity="0.7"' : ''}/>`;
  return `<line x1="${r1(x)}" y1="${r1(y)}" x2="${r1(x + 18)}" y2="${r1(y)}" stroke="${esc(e.colour)}" stroke-width="${e.kind === 'rewired-in' ? 3 : 2}"${e.dashed ? ' stroke-dasharray="4 3"' : ''}/>`;
}

/** A standalone SVG of the graph as drawn (model coordinates, fitted) with its caption and legend. */
export function graphSvg(nodes: readonly SvgNode[], edges: readonly SvgEdge[], legend: Legend, caption: string, margin = 20): string {
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
  const gw = maxX - minX + 2 * margin;
  const gh = maxY - minY + 2 * margin;
  const w = Math.max(gw, 520);
  const lay = legendLayout(legend, w);
  const h = CAPTION_H + gh + lay.height;
  // the graph keeps its model coordinates inside a translated group
  const gx = (w - gw) / 2 - (minX - margin);
  const gy = CAPTION_H - (minY - margin);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${r1(w)} ${r1(h)}" width="${Math.ceil(w)}" height="${Math.ceil(h)}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<rect x="0" y="0" width="${r1(w)}" height="${r1(h)}" fill="#ffffff"/>`,
    `<text x="10" y="17" font-size="${FONT}" font-weight="600" fill="#1e293b">${esc(caption)}</text>`,
    `<g transform="translate(${r1(gx)} ${r1(gy)})">`,
    '<g stroke-linecap="round">',
  ];
  for (const e of edges)
    out.push(
      `<line x1="${r1(e.x1)}" y1="${r1(e.y1)}" x2="${r1(e.x2)}" y2="${r1(e.y2)}" stroke="${esc(e.color)}" stroke-width="${e.width}" stroke-opacity="${e.opacity}"${e.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
  out.push('</g><g>');
  for (const n of nodes)
    out.push(
      `<circle cx="${r1(n.x)}" cy="${r1(n.y)}" r="${r1(n.size / 2)}" fill="${esc(n.color)}" stroke="${esc(n.border)}" stroke-width="1"${n.dashed ? ' stroke-dasharray="2 1"' : ''} opacity="${n.opacity}"/>`,
    );
  out.push('</g></g>');
  const ly = CAPTION_H + gh;
  out.push(`<g class="legend" font-size="${FONT}" fill="#334155">`);
  for (const it of lay.items) out.push(`${svgSymbol(it.entry, it.x, ly + it.y)}<text x="${r1(it.x + 24)}" y="${r1(ly + it.y + 4)}">${esc(it.text)}</text>`);
  if (lay.note) out.push(`<text x="10" y="${r1(ly + lay.note.y + 4)}" fill="#64748b">${esc(lay.note.text)}</text>`);
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}

/**
 * A white canvas of `width` x `height` CSS pixels at `scale`, with `caption` written on its first
 * CAPTION_H pixels; the context is scaled, so callers draw in CSS pixels. Null without a 2D context.
 */
export function captionedCanvas(width: number, height: number, caption: string, scale: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } | null {
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  ctx.fillStyle = '#1e293b';
  ctx.font = `600 ${FONT}px system-ui, sans-serif`;
  ctx.fillText(caption, 10, 17);
  return { canvas, ctx };
}

/** Cytoscape's PNG of the graph, with the caption above and the legend below (at the picture's scale). */
export async function composeGraphPng(graph: Blob, legend: Legend, caption: string, scale = 2): Promise<Blob> {
  const img = await createImageBitmap(graph);
  const w = Math.max(img.width / scale, 520);
  const lay = legendLayout(legend, w);
  const made = captionedCanvas(w, CAPTION_H + img.height / scale + lay.height, caption, scale);
  if (!made) return graph;
  const { canvas, ctx } = made;
  ctx.drawImage(img, (w - img.width / scale) / 2, CAPTION_H, img.width / scale, img.height / scale);
  const ly = CAPTION_H + img.height / scale;
  ctx.font = `${FONT}px system-ui, sans-serif`;
  for (const it of lay.items) {
    const y = ly + it.y;
    const e = it.entry;
    ctx.save();
    if (e.kind === 'state' || e.kind === 'offline') {
      ctx.fillStyle = e.colour;
      ctx.beginPath();
      ctx.arc(it.x + 6, y, 5.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = e.dashed ? '#a1a1aa' : '#ffffff';
      if (e.dashed) ctx.setLineDash([2, 1]);
      ctx.stroke();
    } else {
      ctx.strokeStyle = e.colour;
      ctx.lineWidth = e.kind === 'rewired-in' ? 3 : 2;
      if (e.dashed) ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(it.x, y);
      ctx.lineTo(it.x + 18, y);
      ctx.stroke();
    }
    ctx.restore();
    ctx.fillStyle = '#334155';
    ctx.fillText(it.text, it.x + 24, y + 4);
  }
  if (lay.note) {
    ctx.fillStyle = '#64748b';
    ctx.fillText(lay.note.text, 10, ly + lay.note.y + 4);
  }
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b ?? graph), 'image/png'));
}

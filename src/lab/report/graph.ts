/**
 * The connectivity map: an overlay snapshot drawn as an SVG graph. Peers sit at their place in the
 * network's geographic square when the latency model has one (so long links are visibly long), else
 * on a circle by id (which is also how a DHT's id ring reads). Peers are coloured by the protocol's
 * state; offline peers are hollow.
 */
import type { OverlaySnapshot } from '../../protocols/driver.js';
import { PALETTE } from './charts.js';

/** Colours for the states the protocols report; anything else gets a palette colour. */
const STATE_COLOURS: Record<string, string> = {
  susceptible: '#b0b7c3',
  infected: '#e4572e',
  removed: '#2f6fdf',
  seed: '#8e44ad',
  leecher: '#2f6fdf',
  complete: '#29a35a',
  done: '#29a35a',
  idle: '#b0b7c3',
  storing: '#29a35a',
  holder: '#29a35a',
  looking: '#f0a202',
  found: '#2f6fdf',
  offline: '#ffffff',
};

export function stateColours(states: string[]): Map<string, string> {
  const m = new Map<string, string>();
  let next = 0;
  for (const s of [...new Set(states)].sort()) {
    const known = STATE_COLOURS[s];
    if (known) m.set(s, known);
    else m.set(s, PALETTE[next++ % PALETTE.length]!);
  }
  return m;
}

export interface MapOptions {
  title: string;
  /** Peer positions in the unit square (geo); peers without one go on a circle. */
  positions?: Record<number, [number, number]>;
  width?: number;
  height?: number;
}

export function connectivityMap(snap: OverlaySnapshot, o: MapOptions): string {
  const width = o.width ?? 520;
  const height = o.height ?? 440;
  const pad = 24;
  const top = 40;
  const legendH = 34;
  const plotW = width - 2 * pad;
  const plotH = height - top - legendH - pad / 2;
  const n = snap.peers.length;
  const pos = new Map<number, [number, number]>();
  const usesGeo = o.positions !== undefined && snap.peers.every((p) => o.positions?.[p.id] !== undefined);
  snap.peers.forEach((p, i) => {
    let x: number, y: number;
    if (usesGeo) {
      [x, y] = o.positions?.[p.id] as [number, number];
    } else {
      const a = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2;
      x = 0.5 + 0.47 * Math.cos(a);
      y = 0.5 + 0.47 * Math.sin(a);
    }
    // Square aspect so distances read true.
    const side = Math.min(plotW, plotH);
    const ox = pad + (plotW - side) / 2;
    const oy = top + (plotH - side) / 2;
    pos.set(p.id, [ox + x * side, oy + y * side]);
  });
  const colours = stateColours(snap.peers.map((p) => (p.alive ? p.state : 'offline')));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">`,
  );
  parts.push(`<text x="8" y="20" font-size="14" font-weight="600" fill="#333">${esc(o.title)}</text>`);
  const drawnLinks = snap.links.filter(([a, b]) => pos.has(a) && pos.has(b));
  parts.push(
    `<text x="8" y="34" font-size="11" fill="#666">${n} peers, ${drawnLinks.length} links, ${usesGeo ? 'geographic layout' : 'ring layout by id'}</text>`,
  );
  const linkOpacity = drawnLinks.length > 2000 ? 0.12 : drawnLinks.length > 600 ? 0.22 : 0.4;
  parts.push(`<g stroke="#6b7a90" stroke-opacity="${linkOpacity}" stroke-width="0.7">`);
  for (const [a, b] of drawnLinks) {
    const [x1, y1] = pos.get(a)!;
    const [x2, y2] = pos.get(b)!;
    parts.push(`<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}"/>`);
  }
  parts.push('</g>');
  const r = n > 1000 ? 2 : n > 300 ? 3 : 4;
  parts.push('<g stroke-width="1">');
  for (const p of snap.peers) {
    const [x, y] = pos.get(p.id)!;
    const state = p.alive ? p.state : 'offline';
    const fill = colours.get(state)!;
    const stroke = p.alive ? '#ffffff' : '#8a94a6';
    parts.push(`<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${fill}" stroke="${stroke}"><title>peer ${p.id}: ${esc(state)}</title></circle>`);
  }
  parts.push('</g>');
  // legend with counts
  const counts = new Map<string, number>();
  for (const p of snap.peers) {
    const s = p.alive ? p.state : 'offline';
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let lx = 10;
  const ly = height - 14;
  for (const [state, colour] of colours) {
    const label = `${state} (${counts.get(state) ?? 0})`;
    parts.push(
      `<circle cx="${lx + 5}" cy="${ly - 4}" r="5" fill="${colour}" stroke="${state === 'offline' ? '#8a94a6' : 'none'}"/><text x="${lx + 14}" y="${ly}" font-size="11" fill="#444">${esc(label)}</text>`,
    );
    lx += 24 + label.length * 6.2;
  }
  parts.push('</svg>');
  return parts.join('');
}

function f(v: number): string {
  return v.toFixed(1);
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

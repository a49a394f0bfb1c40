/**
 * The graph's legend: what each node colour and link style means, with counts, from the contract's
 * states and link kinds (observe/palette.ts). The same entries are drawn over the graph in the app,
 * into an exported PNG and into an exported SVG, so a picture taken out of the app still explains
 * itself. Pure: unit-tested directly.
 */
import type { SnapshotData } from '../../../src/host/lab-group.js';
import { REWIRED_IN, REWIRED_OUT, type Palette } from '../observe/palette.js';

export interface LegendEntry {
  /** `state`: a peer state (the key is the state's name); `link`: a link kind (key = its index). */
  kind: 'state' | 'offline' | 'link' | 'rewired-in' | 'rewired-out';
  key: string;
  label: string;
  colour: string;
  description: string;
  count: number | null;
  dashed: boolean;
}

export interface Legend {
  nodes: LegendEntry[];
  links: LegendEntry[];
  /** What a dot's size says, if peers carry a value. */
  size: string | null;
}

export function legendOf(palette: Palette, snap: SnapshotData | null): Legend {
  const counts = new Map<string, number>();
  let offline = 0;
  let valued = false;
  for (const p of snap?.peers ?? []) {
    if (!p.alive) offline++;
    else counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
    if (p.value !== undefined) valued = true;
  }
  // every declared state, so the colours a run may still show are explained before they appear
  const names = new Set([...(palette.observation?.states ?? []).map((s) => s.name).filter((n) => n !== 'offline'), ...counts.keys()]);
  const nodes: LegendEntry[] = palette.orderStates(names).map((name) => {
    const s = palette.stateSpec(name);
    return { kind: 'state', key: name, label: s.label, colour: palette.colour(name), description: s.description, count: counts.get(name) ?? 0, dashed: false };
  });
  if (offline > 0) {
    const o = palette.offline;
    nodes.push({ kind: 'offline', key: 'offline', label: o.label, colour: o.colour, description: o.description, count: offline, dashed: true });
  }

  const linkCounts = new Map<number, number>();
  for (const l of snap?.links ?? []) {
    const k = (l as readonly number[])[2] ?? 0;
    linkCounts.set(k, (linkCounts.get(k) ?? 0) + 1);
  }
  const links: LegendEntry[] = [];
  // every declared kind, as for states
  palette.linkKinds.forEach((k, i) => {
    const n = linkCounts.get(i) ?? 0;
    links.push({ kind: 'link', key: String(i), label: k.label, colour: k.colour, description: k.description, count: n, dashed: !!k.dashed });
  });
  if (palette.anyRewiring) {
    links.push({ kind: 'rewired-in', key: 'rewired-in', label: REWIRED_IN.label, colour: REWIRED_IN.colour, description: 'drawn thick for 2.5 s after the overlay made it', count: null, dashed: false });
    links.push({ kind: 'rewired-out', key: 'rewired-out', label: REWIRED_OUT.label, colour: REWIRED_OUT.colour, description: 'left drawn, dashed, for 2.5 s after the overlay cut it', count: null, dashed: true });
  }
  const v = palette.observation?.value ?? null;
  const size = valued ? (v ? `dot size: ${v.label}` : 'dot size: the peer’s value') : null;
  return { nodes, links, size };
}

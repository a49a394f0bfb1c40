/**
 * What the dashboard exports as data and pictures, built from what it holds: series as CSV (the same
 * long format as `peerlab run`'s series.csv), the drawn peers and links as CSV, everything as JSON, and
 * the file names of exports (pictures are in graph-image.ts). Pure (no DOM).
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

/** `peerlab-<scenario>-<seed>-t<ms>`: a file name stem for exports at the time shown. */
export function exportStem(state: LabState | null, timeMs: number): string {
  const name = (state?.scenario ?? 'lab').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'lab';
  return `peerlab-${name}-seed${state?.seed ?? 0}-t${Math.round(timeMs)}`;
}

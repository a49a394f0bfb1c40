/**
 * Which charts the dashboard draws, from the observation contract: the protocol's series grouped by
 * unit (one unit per chart, so no chart needs two y axes), then messages per second and peers online.
 * Each chart has a title, axis titles with units, y from zero (every quantity here is a count, a
 * share, a time or a size: a y axis from 297 to 300 makes a flat line look like a cliff), a share's
 * axis up to 100%, and the contract's theory values as dashed lines. Pure: unit-tested directly.
 */
import type { ObservationData, QuantitySpec } from '../observe/spec.js';
import type { Unit } from '../../../src/core/format.js';
import { humanize } from '../observe/words.js';

export interface LinePlan {
  /** The held series it draws (`reached`, `net.messages`). */
  key: string;
  label: string;
  colour: string;
  /** Draw the per-second rate of this cumulative series. */
  rate?: boolean;
  /** A level that holds until the next point (peers online). */
  step?: boolean;
}

export interface ChartPlan {
  id: string;
  title: string;
  /** What the chart shows, for its tooltip. */
  description: string;
  unit: Unit;
  yTitle: string;
  yMax: number | null;
  lines: LinePlan[];
  theory: { label: string; value: number }[];
}

/** Line colours inside one chart (the chart's own legend names them). */
export const LINE_PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#db2777', '#0891b2', '#a16207'];

const UNIT_NOUN: Record<Unit, string> = {
  ms: 'Times',
  s: 'Times',
  bytes: 'Sizes',
  'bytes/s': 'Rates',
  fraction: 'Shares of peers',
  count: 'Counts',
  messages: 'Messages',
  'messages/s': 'Message rates',
  peers: 'Peers',
  hops: 'Hops',
  ratio: 'Ratios',
  none: 'Values',
};

/** The y axis title: the unit in words (the chart's title says what is measured). */
export const AXIS_TITLE: Record<Unit, string> = {
  ms: 'time (ms)',
  s: 'time (s)',
  bytes: 'bytes',
  'bytes/s': 'bytes/s',
  fraction: 'share (%)',
  count: 'count',
  messages: 'messages',
  'messages/s': 'messages/s',
  peers: 'peers',
  hops: 'hops',
  ratio: 'ratio (×)',
  none: 'value',
};

function titleOf(specs: QuantitySpec[], unit: Unit): string {
  if (specs.length === 1) return (specs[0] as QuantitySpec).label;
  const joined = specs.map((s) => s.label).join(', ');
  return joined.length <= 44 ? joined : `${UNIT_NOUN[unit]}: ${specs.length} series`;
}

/**
 * The charts for the series held (`held`), as declared by `obs`. Declared series not held yet still
 * get their chart (it says "no data yet"); held series the contract does not declare are charted
 * with their key made readable and no unit.
 */
export function planCharts(held: Iterable<string>, obs: ObservationData | null): ChartPlan[] {
  const heldSet = new Set(held);
  const declared = new Map((obs?.series ?? []).map((s) => [s.key, s]));
  const proto: QuantitySpec[] = [];
  for (const s of obs?.series ?? []) if (!s.key.startsWith('net.')) proto.push(s);
  for (const k of [...heldSet].sort())
    if (!k.startsWith('net.') && !declared.has(k)) proto.push({ key: k, label: humanize(k), unit: 'none', description: '', better: null, theory: null });

  const byUnit = new Map<Unit, QuantitySpec[]>();
  for (const s of proto) {
    const g = byUnit.get(s.unit) ?? [];
    g.push(s);
    byUnit.set(s.unit, g);
  }
  const plans: ChartPlan[] = [];
  for (const [unit, specs] of byUnit) {
    const title = titleOf(specs, unit);
    plans.push({
      id: `p-${unit}`,
      title,
      description: specs.map((s) => `${s.label}: ${s.description}`).join('\n'),
      unit,
      yTitle: AXIS_TITLE[unit],
      yMax: unit === 'fraction' ? 1 : null,
      lines: specs.map((s, i) => ({ key: s.key, label: s.label, colour: LINE_PALETTE[i % LINE_PALETTE.length] as string })),
      theory: specs.flatMap((s) => (s.theory ? [{ label: `${s.label}: ${s.theory.label}`, value: s.theory.value }] : [])),
    });
  }

  const msgs = declared.get('net.messages');
  if (msgs || heldSet.has('net.messages')) {
    const label = msgs ? `${msgs.label} per second` : 'Messages sent per second';
    plans.push({
      id: 'net-rate',
      title: label,
      description: `${label}, over each sampling interval${msgs?.description ? ` (${msgs.description})` : ''}`,
      unit: 'messages/s',
      yTitle: AXIS_TITLE['messages/s'],
      yMax: null,
      lines: [{ key: 'net.messages', label, colour: '#0f766e', rate: true }],
      theory: [],
    });
  }
  const online = declared.get('net.online');
  if (online || heldSet.has('net.online')) {
    const label = online?.label ?? 'Peers online';
    plans.push({
      id: 'net-online',
      title: label,
      description: online?.description ?? 'Peers online',
      unit: 'peers',
      yTitle: AXIS_TITLE.peers,
      yMax: null,
      lines: [{ key: 'net.online', label, colour: '#475569', step: true }],
      theory: [],
    });
  }
  return plans;
}

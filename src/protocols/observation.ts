/**
 * The observation contract: what a protocol measures and how it is drawn, declared once per protocol
 * (`src/protocols/<p>/observe.ts`, referenced by its driver as `ProtocolDriver.observation`). The
 * dashboard's summary panel, charts, legends and peer colours, `peerlab run` reports, `sweep` and
 * `compare` all read it, so a protocol or a metric is added in one place, and labels, units and
 * colours are the same everywhere. Units are the closed set of src/core/format.ts, which formats them.
 */
import type { Unit } from '../core/format.js';

export type { Unit } from '../core/format.js';

/** What a theory value may depend on: the loaded scenario. */
export interface TheoryContext<P = unknown, W = unknown> {
  peers: number;
  params: P;
  workload: W;
}

/** A number in the protocol's summary (`summary.json`, the dashboard's summary panel). */
export interface MetricSpec<P = unknown, W = unknown> {
  /** The summary key. */
  key: string;
  /** Short human label ("Time to reach all"). */
  label: string;
  unit: Unit;
  /** One sentence: what it measures and how. */
  description: string;
  /** Which way is better, or null when neither is. */
  better: 'higher' | 'lower' | null;
  /** What theory predicts for this scenario (drawn as a reference), where a formula exists. */
  theory?: { label: string; value: (ctx: TheoryContext<P, W>) => number | null };
}

/** A metric (or series) declaration in one line: `metric(key, label, unit, better, description, theory?)`. */
export function metric<P = unknown, W = unknown>(
  key: string,
  label: string,
  unit: Unit,
  better: 'higher' | 'lower' | null,
  description: string,
  theory?: MetricSpec<P, W>['theory'],
): MetricSpec<P, W> {
  return { key, label, unit, better, description, ...(theory ? { theory } : {}) };
}

/** A time series the protocol records (`series.csv`, the dashboard's charts). Same fields as a metric. */
export type SeriesSpec<P = unknown, W = unknown> = MetricSpec<P, W>;

/** A peer state (`OverlaySnapshot.peers[].state`): its legend name and colour. */
export interface StateSpec {
  name: string;
  label: string;
  /** CSS colour (#rrggbb). */
  colour: string;
  description: string;
}

/** A kind of link in a snapshot (`links: [a, b, kind]`, kind an index into linkKinds; absent: 0). */
export interface LinkKindSpec {
  name: string;
  label: string;
  colour: string;
  dashed?: boolean;
  description: string;
  /**
   * True when a change of such a link is the protocol rewiring its overlay (drawn highlighted); false
   * when links come and go for other reasons (a new infection tree, connections opened and closed).
   */
  rewiring: boolean;
}

/** A protocol event kind on the feed (`ProtocolEvent.kind`). */
export interface EventSpec {
  kind: string;
  label: string;
  description: string;
}

export interface ProtocolObservation<P = unknown, W = unknown> {
  protocol: string;
  metrics: MetricSpec<P, W>[];
  series: SeriesSpec<P, W>[];
  states: StateSpec[];
  linkKinds: LinkKindSpec[];
  events: EventSpec[];
  /** What a snapshot peer's `value` is (drawn as dot size), or null if the protocol gives none. */
  value: { label: string; unit: Unit; description: string } | null;
}

/** The session's own series, recorded for every protocol (`net.*` in series.csv and the charts). */
export const NET_SERIES: SeriesSpec[] = [
  { key: 'net.online', label: 'Online peers', unit: 'peers', description: 'Peers online at each sample.', better: null },
  { key: 'net.messages', label: 'Messages sent', unit: 'messages', description: 'Messages sent since the start (all protocols, cumulative).', better: null },
  { key: 'net.bytes', label: 'Bytes sent', unit: 'bytes', description: 'Bytes sent since the start (cumulative).', better: null },
  { key: 'net.dropped', label: 'Messages dropped', unit: 'messages', description: 'Messages lost since the start: loss, partitions, offline ends (cumulative).', better: 'lower' },
];

/** The state every protocol's snapshot may use for a peer that is not online. */
export const OFFLINE_STATE: StateSpec = { name: 'offline', label: 'Offline', colour: '#a8a29e', description: 'The peer is not online.' };

/** The contract as plain data for the loaded scenario (theory values evaluated): what the host sends. */
export interface ObservationData {
  protocol: string;
  metrics: EvaluatedSpec[];
  series: EvaluatedSpec[];
  states: StateSpec[];
  linkKinds: LinkKindSpec[];
  events: EventSpec[];
  value: { label: string; unit: Unit; description: string } | null;
}

export interface EvaluatedSpec {
  key: string;
  label: string;
  unit: Unit;
  description: string;
  better: 'higher' | 'lower' | null;
  theory: { label: string; value: number } | null;
}

export function evaluateObservation<P, W>(obs: ProtocolObservation<P, W>, ctx: TheoryContext<P, W>): ObservationData {
  const evaluate = (m: MetricSpec<P, W>): EvaluatedSpec => {
    let theory: EvaluatedSpec['theory'] = null;
    if (m.theory) {
      const v = m.theory.value(ctx);
      if (v !== null && Number.isFinite(v)) theory = { label: m.theory.label, value: v };
    }
    return { key: m.key, label: m.label, unit: m.unit, description: m.description, better: m.better, theory };
  };
  return {
    protocol: obs.protocol,
    metrics: obs.metrics.map(evaluate),
    series: [...obs.series.map(evaluate), ...NET_SERIES.map((s) => evaluate(s as MetricSpec<P, W>))],
    states: obs.states.some((s) => s.name === OFFLINE_STATE.name) ? obs.states : [...obs.states, OFFLINE_STATE],
    linkKinds: obs.linkKinds.length ? obs.linkKinds : [{ name: 'link', label: 'Link', colour: '#94a3b8', description: 'An overlay link.', rewiring: false }],
    events: obs.events,
    value: obs.value,
  };
}

/**
 * A plain contract for a driver that declares none (test fixtures): each summary key and series as
 * itself, unit 'none'. Shipped protocols declare theirs; this only keeps the views working.
 */
export function undeclaredObservation(protocol: string, summary: Record<string, unknown>, series: Record<string, unknown>): ProtocolObservation {
  const plain = (key: string): MetricSpec => ({ key, label: key, unit: 'none', description: '', better: null });
  return { protocol, metrics: Object.keys(summary).map(plain), series: Object.keys(series).map(plain), states: [], linkKinds: [], events: [], value: null };
}

// ---- the peer inspector ---------------------------------------------------------------------------

export type InspectCell = string | number | boolean | null;

/** One block of a peer's inspector (the host bounds sizes: rows, columns, bits, peers). */
export type InspectSection =
  | { kind: 'facts'; title: string; rows: { label: string; value: InspectCell; unit?: Unit }[] }
  | { kind: 'table'; title: string; columns: { label: string; unit?: Unit }[]; rows: InspectCell[][]; more?: number; peerColumn?: number }
  | { kind: 'bits'; title: string; label: string; bits: string }
  | { kind: 'path'; title: string; peers: number[] }
  | { kind: 'peers'; title: string; peers: number[] };

/** What a driver tells about one peer (`DriverRun.inspect`). */
export interface PeerInspection {
  /** Its overlay neighbours now. */
  neighbours: number[];
  sections: InspectSection[];
}

/** Cuts a table to `max` rows, saying how many were left out. */
export function boundedTable(
  title: string,
  columns: { label: string; unit?: Unit }[],
  rows: InspectCell[][],
  opts: { max?: number; peerColumn?: number } = {},
): InspectSection {
  const max = opts.max ?? 256;
  return {
    kind: 'table',
    title,
    columns,
    rows: rows.slice(0, max),
    ...(rows.length > max ? { more: rows.length - max } : {}),
    ...(opts.peerColumn !== undefined ? { peerColumn: opts.peerColumn } : {}),
  };
}

/**
 * The observation contract as the dashboard receives it (`lab.observation`, `lab.join`): what the
 * loaded protocol measures, its peer states and link kinds, with labels, units and colours. Every
 * label, unit and colour the dashboard shows comes from here, so they are the ones `run` reports and
 * `compare` show.
 */
import type { Unit } from '../../../src/core/format.js';

export interface QuantitySpec {
  key: string;
  label: string;
  unit: Unit;
  description: string;
  better: 'higher' | 'lower' | null;
  theory?: { label: string; value: number } | null;
}

export interface StateSpec {
  name: string;
  label: string;
  colour: string;
  description: string;
}

export interface LinkKindSpec {
  name: string;
  label: string;
  colour: string;
  dashed?: boolean;
  description: string;
  /** A change of a link of this kind is the protocol rewiring its overlay (drawn as such). */
  rewiring: boolean;
}

export interface ObservationData {
  protocol: string;
  metrics: QuantitySpec[];
  series: QuantitySpec[];
  states: StateSpec[];
  linkKinds: LinkKindSpec[];
  /** What a snapshot peer's `value` is (drawn as its size), or null. */
  value?: { label: string; unit: Unit; description: string } | null;
}

type Cell = number | string | boolean | null;

/** One part of a peer's inspection (`lab.inspect`): generic, so any protocol is shown without code of its own. */
export type InspectSection =
  | { kind: 'facts'; title: string; rows: { label: string; value: Cell; unit?: Unit }[] }
  | { kind: 'table'; title: string; columns: { label: string; unit?: Unit }[]; rows: Cell[][]; peerColumn?: number }
  | { kind: 'bits'; title: string; bits: string; label: string }
  | { kind: 'path'; title: string; peers: number[] }
  | { kind: 'peers'; title: string; peers: number[] };

export interface PeerInspection {
  id: number;
  alive: boolean;
  state: string;
  value?: number;
  neighbours: number[];
  sections: InspectSection[];
}

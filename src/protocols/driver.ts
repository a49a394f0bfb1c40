/**
 * The contract between a protocol and the lab. Every protocol folder exports one `ProtocolDriver`
 * (from its `driver.ts`): it validates its own scenario parameters and workload, wires its protocol
 * into a World, and reports what it measured. The lab's runner (`peerlab run`, sweeps, compare) and
 * the dashboard (LabHost) drive every protocol through this one interface.
 */
import type { z } from 'zod';
import type { ConfigIssue, PeerId } from '../core/index.js';
import type { World } from '../sim/index.js';
import type { PeerInspection, ProtocolObservation } from './observation.js';

export type SummaryValue = number | string | boolean | null;

/** A time series: parallel arrays of virtual time (ms) and value. */
export interface Series {
  t: number[];
  v: number[];
}

/** `[a, b]` or `[a, b, kind]` (kind: index into the protocol's link kinds). */
export type SnapshotLink = [PeerId, PeerId] | [PeerId, PeerId, number];

/** What the dashboard and the connectivity map draw. */
export interface OverlaySnapshot {
  timeMs: number;
  peers: {
    id: PeerId;
    /** online / offline */
    alive: boolean;
    /** A protocol-specific state for colouring, e.g. 'susceptible' | 'infected' | 'removed', 'seed' | 'leecher'. */
    state: string;
    /** Optional number for colouring by scale (progress 0..1, trust 0..1, ...). */
    value?: number;
  }[];
  /**
   * Undirected overlay links (each pair once); a third element is the link's kind, an index into the
   * protocol's `observation.linkKinds` (absent: 0).
   */
  links: SnapshotLink[];
}

export interface RunContext {
  /** The world, already made with the scenario's peers, network and churn. */
  world: World;
  seed: number;
}

export interface DriverRun {
  /** True once the workload is done (for `until: complete`). */
  isComplete(): boolean;
  /** The protocol's keys for summary.json (docs/<protocol>.md lists them). Deterministic for a seed. */
  summary(): Record<string, SummaryValue>;
  /** Time series for CSV and charts, e.g. `reached` (fraction of peers over time). */
  series(): Record<string, Series>;
  /** Raw samples for CDFs and histograms, e.g. completion times, lookup latencies, hops. */
  samples(): Record<string, number[]>;
  /**
   * The overlay now, for the dashboard and the connectivity map. `maxPeers` caps how many peers are
   * included (the first ones by id), so a 10^5-peer run can still be drawn.
   */
  snapshot(maxPeers?: number): OverlaySnapshot;
  /** One peer's state for the dashboard's inspector (bounded: the host cuts what is too long). */
  inspect?(peer: PeerId): PeerInspection;
}

export interface ProtocolDriver<P = unknown, W = unknown> {
  /** The scenario's `protocol.type`. */
  readonly type: string;
  /** Validates `protocol` (every key except `type`); defaults filled in. */
  readonly params: z.ZodType<P>;
  /** Validates `workload`; defaults filled in. */
  readonly workload: z.ZodType<W>;
  /**
   * Problems of the parameters and the workload together, or with the number of peers, that the
   * schemas cannot see one key at a time (`workload.source` past the last peer, `maxDegree` below
   * `degree`), each with its path. The lab asks it when it parses a scenario, so a scenario's problems
   * are all found there, with their paths, before anything is built.
   */
  check?(params: P, workload: W, peers: number): ConfigIssue[];
  /** Builds the run. The lab calls it only with what the schemas and `check` passed. */
  create(ctx: RunContext, params: P, workload: W): DriverRun;
  /** What it measures and how it is drawn (observation.ts); every shipped protocol declares it. */
  readonly observation?: ProtocolObservation<P, W>;
}

/**
 * The network model: pairwise latency from per-peer coordinates, per-peer upload/download bandwidth
 * with queueing, random loss, and partitions. It only computes *when* (or whether) a message arrives;
 * the World schedules the delivery.
 *
 * Latency models:
 * - `constant`: every message takes `ms`.
 * - `uniform`: a fixed per-pair latency drawn uniformly in [minMs, maxMs] (hashed from the pair, so it
 *   is symmetric and stable without an N^2 table).
 * - `geo`: peers sit at random points of a unit square (a synthetic geographic space); latency is
 *   `baseMs + distance * msPerUnit`, symmetric, plus per-message jitter of up to `jitter` (a fraction).
 */
import { ConfigError, checkNumber, isChecked, markChecked, show, type Checked } from '../core/check.js';
import { hash32 } from '../core/hash.js';
import type { PeerId } from '../core/ids.js';
import type { Rng } from '../core/rng.js';

export type LatencyConfig =
  | { model: 'constant'; ms: number }
  | { model: 'uniform'; minMs: number; maxMs: number }
  | { model: 'geo'; baseMs?: number; msPerUnit?: number; jitter?: number };

export interface BandwidthClass {
  /** Share of peers in this class (the shares are normalised). */
  fraction: number;
  /** Upload capacity in bytes per second (Infinity = no limit). */
  upBps: number;
  /** Download capacity in bytes per second (Infinity = no limit). */
  downBps: number;
}

export interface NetworkConfig {
  latency?: LatencyConfig;
  /** Bandwidth classes; omitted = unlimited (messages take latency only). */
  bandwidth?: BandwidthClass[];
  /** Probability that a message is lost, in [0, 1]. Default 0. */
  loss?: number;
}

export const DEFAULT_LATENCY: LatencyConfig = { model: 'geo', baseMs: 5, msPerUnit: 100, jitter: 0.1 };

/** Validates a network configuration; throws ConfigError naming the bad key. Returns it, checked. */
export function validateNetworkConfig(cfg: NetworkConfig, prefix = 'network'): Checked<NetworkConfig> {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg))
    throw new ConfigError(prefix, `expected a mapping, got ${show(cfg)}`);
  const lat = cfg.latency;
  if (lat !== undefined && (lat === null || typeof lat !== 'object'))
    throw new ConfigError(`${prefix}.latency`, `expected a mapping with a model, got ${show(lat)}`);
  if (lat !== undefined) {
    switch (lat.model) {
      case 'constant':
        checkNumber(`${prefix}.latency.ms`, lat.ms, 0);
        break;
      case 'uniform':
        checkNumber(`${prefix}.latency.minMs`, lat.minMs, 0);
        checkNumber(`${prefix}.latency.maxMs`, lat.maxMs, lat.minMs);
        break;
      case 'geo':
        if (lat.baseMs !== undefined) checkNumber(`${prefix}.latency.baseMs`, lat.baseMs, 0);
        if (lat.msPerUnit !== undefined) checkNumber(`${prefix}.latency.msPerUnit`, lat.msPerUnit, 0);
        if (lat.jitter !== undefined) checkNumber(`${prefix}.latency.jitter`, lat.jitter, 0, 10);
        break;
      default:
        throw new ConfigError(
          `${prefix}.latency.model`,
          `unknown latency model ${show((lat as { model: unknown }).model)} (expected constant, uniform or geo)`,
        );
    }
  }
  if (cfg.loss !== undefined) checkNumber(`${prefix}.loss`, cfg.loss, 0, 1);
  if (cfg.bandwidth !== undefined) {
    if (!Array.isArray(cfg.bandwidth) || cfg.bandwidth.length === 0)
      throw new ConfigError(`${prefix}.bandwidth`, 'expected a non-empty list of classes');
    cfg.bandwidth.forEach((c, i) => {
      checkNumber(`${prefix}.bandwidth[${i}].fraction`, c.fraction, 0);
      checkNumber(`${prefix}.bandwidth[${i}].upBps`, c.upBps, Number.MIN_VALUE);
      checkNumber(`${prefix}.bandwidth[${i}].downBps`, c.downBps, Number.MIN_VALUE);
    });
    if (!(cfg.bandwidth.reduce((t, c) => t + c.fraction, 0) > 0))
      throw new ConfigError(`${prefix}.bandwidth`, 'the class fractions add up to 0: give at least one a share > 0');
  }
  return markChecked(cfg);
}

export class Network {
  readonly size: number;
  private readonly lat: LatencyConfig;
  private readonly x: Float32Array | null;
  private readonly y: Float32Array | null;
  /** bytes per ms; Infinity = unlimited */
  readonly up: Float64Array;
  readonly down: Float64Array;
  private readonly upFree: Float64Array;
  private readonly downFree: Float64Array;
  private readonly bandwidthLimited: boolean;
  loss: number;
  /** Partition group of each peer while a partition is active, else null. */
  private group: Uint16Array | null = null;
  private readonly rng: Rng;
  private readonly pairSalt: number;

  /** `cfg` is validated here unless it comes checked (a parsed scenario's). */
  constructor(size: number, cfg: NetworkConfig, rng: Rng) {
    if (!isChecked(cfg, size)) validateNetworkConfig(cfg);
    this.size = size;
    this.rng = rng;
    this.lat = cfg.latency ?? DEFAULT_LATENCY;
    this.loss = cfg.loss ?? 0;
    this.pairSalt = rng.nextU32();
    if (this.lat.model === 'geo') {
      this.x = new Float32Array(size);
      this.y = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        this.x[i] = rng.float();
        this.y[i] = rng.float();
      }
    } else {
      this.x = null;
      this.y = null;
    }
    this.up = new Float64Array(size).fill(Infinity);
    this.down = new Float64Array(size).fill(Infinity);
    const classes = cfg.bandwidth;
    this.bandwidthLimited = classes !== undefined;
    // queue clocks only matter with bandwidth limits: an unlimited network keeps 16 bytes per peer less
    this.upFree = new Float64Array(this.bandwidthLimited ? size : 0);
    this.downFree = new Float64Array(this.bandwidthLimited ? size : 0);
    if (classes) {
      const total = classes.reduce((s, c) => s + c.fraction, 0);
      for (let i = 0; i < size; i++) {
        let u = rng.float() * total;
        let c = classes[classes.length - 1]!;
        for (const k of classes) {
          if (u < k.fraction) {
            c = k;
            break;
          }
          u -= k.fraction;
        }
        this.up[i] = c.upBps / 1000;
        this.down[i] = c.downBps / 1000;
      }
    }
  }

  /** Coordinates of a peer in the unit square (geo model), for drawing maps. */
  position(peer: PeerId): [number, number] | null {
    return this.x && this.y ? [this.x[peer]!, this.y[peer]!] : null;
  }

  /** The symmetric base latency between two peers, in ms (no jitter). */
  baseLatency(a: PeerId, b: PeerId): number {
    const lat = this.lat;
    switch (lat.model) {
      case 'constant':
        return lat.ms;
      case 'uniform': {
        const lo = a < b ? a : b;
        const hi = a < b ? b : a;
        const u = hash32(lo ^ this.pairSalt, hi) / 4294967296;
        return lat.minMs + u * (lat.maxMs - lat.minMs);
      }
      case 'geo': {
        const x = this.x as Float32Array, y = this.y as Float32Array;
        const dx = x[a]! - x[b]!;
        const dy = y[a]! - y[b]!;
        return (lat.baseMs ?? 5) + Math.sqrt(dx * dx + dy * dy) * (lat.msPerUnit ?? 100);
      }
    }
  }

  /** One message's latency: the base plus jitter (geo model). Draws from the rng only when jittering. */
  sampleLatency(a: PeerId, b: PeerId): number {
    const base = this.baseLatency(a, b);
    if (this.lat.model === 'geo') {
      const j = this.lat.jitter ?? 0.1;
      if (j > 0) return base * (1 + j * this.rng.float());
    }
    return base;
  }

  /**
   * Arrival time of a message of `bytes` sent now from `from` to `to`, taking the sender's upload
   * queue and the receiver's download queue into account; -1 if it is lost or crosses a partition.
   */
  transmit(from: PeerId, to: PeerId, bytes: number, now: number): number {
    if (this.group !== null && this.group[from] !== this.group[to]) return -2;
    if (this.loss > 0 && this.rng.float() < this.loss) return -1;
    const latency = this.sampleLatency(from, to);
    if (!this.bandwidthLimited || bytes <= 0) return now + latency;
    const txUp = bytes / this.up[from]!;
    const start = Math.max(now, this.upFree[from]!);
    this.upFree[from] = start + txUp;
    const firstBit = start + latency;
    // the receiver's downlink is a FIFO server too: it is busy for bytes/down per message (not for as
    // long as a slow sender takes), and a message is complete when both links are done with it
    const txDown = bytes / this.down[to]!;
    const downStart = Math.max(firstBit, this.downFree[to]!);
    this.downFree[to] = downStart + txDown;
    return Math.max(firstBit + txUp, downStart + txDown);
  }

  /** True if a partition currently separates a and b. */
  separated(a: PeerId, b: PeerId): boolean {
    return this.group !== null && this.group[a] !== this.group[b];
  }

  /** Splits peers into groups: `groupOf(peer)` gives each peer's group (0..65535). */
  partition(groupOf: (peer: PeerId) => number): void {
    const g = new Uint16Array(this.size);
    for (let i = 0; i < this.size; i++) g[i] = groupOf(i);
    this.group = g;
  }

  /** Splits peers by a ready group table (one entry per peer; kept, not copied). */
  setGroups(groupOf: Uint16Array): void {
    if (groupOf.length !== this.size) throw new RangeError(`Network.setGroups: expected ${this.size} entries, got ${groupOf.length}`);
    this.group = groupOf;
  }

  /** Partition group of a peer, or -1 when no partition is in force. */
  groupOf(peer: PeerId): number {
    return this.group === null ? -1 : this.group[peer]!;
  }

  heal(): void {
    this.group = null;
  }

  get partitioned(): boolean {
    return this.group !== null;
  }

  /** Forget a peer's queued transmissions (it crashed or left). */
  resetQueues(peer: PeerId): void {
    if (!this.bandwidthLimited) return;
    this.upFree[peer] = 0;
    this.downFree[peer] = 0;
  }

  /** Bytes held per peer by this model (typed arrays; the partition table only while partitioned). */
  memoryBytes(): number {
    let b = this.up.byteLength + this.down.byteLength + this.upFree.byteLength + this.downFree.byteLength;
    if (this.x) b += this.x.byteLength;
    if (this.y) b += this.y.byteLength;
    if (this.group) b += this.group.byteLength;
    return b;
  }
}

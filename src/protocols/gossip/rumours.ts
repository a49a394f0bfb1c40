/**
 * What every peer knows of every rumour, as struct-of-arrays: 10^6 peers cost a few typed arrays.
 *
 * The cell of rumour r at peer p is index r*n + p: state 0 susceptible, 1 infected (gossips),
 * 2 removed (has it, no longer gossips: infect-and-die after its one action). Per rumour: its birth,
 * source and size, how many online peers hold it and how many still spread it, and the milestones a
 * summary reports (99% and 100% of the online peers reached, the highest fraction held at once).
 */
import type { PeerId } from '../../core/index.js';

export class RumourTable {
  readonly n: number;
  /** state[r*n+p]: 0 susceptible, 1 infected, 2 removed */
  readonly state: Uint8Array;
  /** Round in which the peer was informed (relative to the rumour's start), -1 if never. */
  readonly round: Int32Array;
  /** Virtual time at which the peer was informed. */
  readonly at: Float64Array;
  /** Who informed the peer first (-1: the source, or nobody). */
  readonly parent: Int32Array;

  // per rumour
  readonly born: Float64Array;
  readonly source: Int32Array;
  readonly size: Float64Array;
  /** The round tick at which the rumour started (its rounds count from there). */
  protected readonly baseTick: Float64Array;
  /** Online peers holding the rumour. */
  readonly holders: Int32Array;
  /** Online peers in state 1. */
  readonly active: Int32Array;
  readonly allAt: Float64Array;
  readonly allRound: Float64Array;
  readonly at99: Float64Array;
  readonly round99: Float64Array;
  /** Highest fraction of online peers that held the rumour at once. */
  readonly peak: Float64Array;
  /** Rumours started so far (indices 0 .. started-1). */
  started = 0;

  /** Rumours with an infected (spreading) peer; rebuilt lazily (stale entries are harmless). */
  private live: number[] = [];
  protected liveDirty = true;

  constructor(n: number, capacity: number) {
    this.n = n;
    const k = Math.max(1, capacity);
    const cells = k * n;
    this.state = new Uint8Array(cells);
    this.round = new Int32Array(cells).fill(-1);
    this.at = new Float64Array(cells);
    this.parent = new Int32Array(cells).fill(-1);
    this.born = new Float64Array(k).fill(NaN);
    this.source = new Int32Array(k).fill(-1);
    this.size = new Float64Array(k);
    this.baseTick = new Float64Array(k);
    this.holders = new Int32Array(k);
    this.active = new Int32Array(k);
    this.allAt = new Float64Array(k).fill(NaN);
    this.allRound = new Float64Array(k).fill(NaN);
    this.at99 = new Float64Array(k).fill(NaN);
    this.round99 = new Float64Array(k).fill(NaN);
    this.peak = new Float64Array(k);
  }

  protected liveRumours(): number[] {
    if (this.liveDirty) {
      this.liveDirty = false;
      this.live = [];
      for (let r = 0; r < this.started; r++) if (this.active[r]! > 0) this.live.push(r);
    }
    return this.live;
  }

  /** Peer p learns rumour r from `from` in round j at time `now`: it becomes infected. */
  protected mark(r: number, p: PeerId, from: PeerId, j: number, now: number): void {
    const idx = r * this.n + p;
    if (this.active[r] === 0) this.liveDirty = true;
    this.state[idx] = 1;
    this.round[idx] = j;
    this.at[idx] = now;
    this.parent[idx] = from;
    this.holders[r]!++;
    this.active[r]!++;
  }

  /** Records the rumour's peak and its 99% / 100% milestones, given `online` peers at time `now`. */
  protected reached(r: number, j: number, online: number, now: number): void {
    const h = this.holders[r]!;
    if (online > 0 && h / online > this.peak[r]!) this.peak[r] = h / online;
    if (h >= 0.99 * online && Number.isNaN(this.at99[r]!)) {
      this.at99[r] = now - this.born[r]!;
      this.round99[r] = j;
    }
    if (h >= online && Number.isNaN(this.allAt[r]!)) {
      this.allAt[r] = now - this.born[r]!;
      this.allRound[r] = j;
    }
  }

  /** A departed peer loses what it held (a rejoining peer is a fresh one). */
  protected forget(peer: PeerId): void {
    const n = this.n;
    for (let r = 0; r < this.started; r++) {
      const idx = r * n + peer;
      const s = this.state[idx];
      if (s === 0) continue;
      this.holders[r]!--;
      if (s === 1) this.active[r]!--;
      this.state[idx] = 0;
      this.round[idx] = -1;
      this.parent[idx] = -1;
    }
  }

  /** True while some rumour is held by some but not all of the `online` peers (anti-entropy has work). */
  protected repairable(online: number): boolean {
    for (let r = 0; r < this.started; r++) {
      const h = this.holders[r]!;
      if (h > 0 && h < online) return true;
    }
    return false;
  }
}

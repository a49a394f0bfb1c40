/**
 * What a bittorrent run measures: completion (every honest leecher done: corrupt peers may be banned
 * by everyone and never finish; free riders do finish, fed by optimistic unchokes), completion times
 * against the Kumar-Ross bound, waste, bans, share ratios, and over time the fraction done and the
 * copies of the rarest and of an average piece among online peers.
 */
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import type { Series, SummaryValue } from '../driver.js';
import type { SwarmStats } from './tallies.js';

/** What the measures read of one peer (a swarm peer, or one of the ideal schedule's). */
export interface MeasuredPeer {
  readonly haveCount: number;
  readonly doneAt: number;
  readonly joinedAt: number;
  readonly uploaded: number;
  readonly downloaded: number;
}

/** What the measures read of a swarm: BitTorrent's (swarm.ts) or the ideal schedule (ideal/). */
export interface MeasuredSwarm {
  readonly pieces: number;
  readonly completionTimes: readonly number[];
  readonly leechersDone: number;
  readonly stats: SwarmStats;
  onPiece: ((peer: PeerId, piece: number) => void) | null;
  onDone: ((peer: PeerId) => void) | null;
  onLeave(peer: PeerId): void;
  state(peer: PeerId): MeasuredPeer | undefined;
  hasPiece(peer: PeerId, piece: number): boolean;
  isSeedAtStart(peer: PeerId): boolean;
}

export class SwarmMeasures {
  /** Copies of each piece held by online leechers and finished leechers (seeds are added when sampled). */
  private readonly copies: Uint32Array;
  private readonly completed: Series = { t: [], v: [] };
  private readonly availMin: Series = { t: [], v: [] };
  private readonly availMean: Series = { t: [], v: [] };
  private readonly sampleKind: number;
  private honest = 0;
  private honestDone = 0;

  /** Hooks the swarm's observers; `start` once the swarm is in the world. */
  constructor(
    private readonly world: World,
    private readonly swarm: MeasuredSwarm,
    private readonly leechers: readonly PeerId[],
    private readonly isCorrupt: (p: PeerId) => boolean,
    private readonly fileSize: number,
    private readonly lowerBoundMs: number | null,
    sampleMs: number,
  ) {
    const sim = world.sim;
    // the tallies live in this object, which keyframes of the run must reach (sim/snapshot.ts)
    sim.keep(this);
    const copies = (this.copies = new Uint32Array(swarm.pieces));
    swarm.onPiece = (_peer, piece) => {
      copies[piece] = copies[piece]! + 1;
    };
    const kind = (this.sampleKind = sim.register(() => {
      this.sample();
      if (!this.isComplete()) sim.schedule(sampleMs, kind);
    }));
  }

  start(): void {
    const { world, swarm, copies } = this;
    world.sim.schedule(0, this.sampleKind);
    // leavers take their copies with them
    const origLeave = swarm.onLeave.bind(swarm);
    swarm.onLeave = (peer: PeerId) => {
      const st = swarm.state(peer);
      if (st && !swarm.isSeedAtStart(peer)) {
        for (let p = 0; p < swarm.pieces; p++) if (swarm.hasPiece(peer, p)) copies[p] = copies[p]! - 1;
      }
      origLeave(peer);
    };
    this.honest = this.leechers.filter((l) => !this.isCorrupt(l)).length;
    swarm.onDone = (peer) => {
      if (!this.isCorrupt(peer)) this.honestDone++;
    };
  }

  isComplete(): boolean {
    return this.honestDone >= this.honest;
  }

  /** Online seeds (initial or new) hold every piece. */
  private seedCopies(): number {
    const { world, swarm } = this;
    let n = 0;
    for (let p = 0; p < world.size; p++) {
      const st = swarm.state(p);
      if (st && world.alive[p] === 1 && st.haveCount === swarm.pieces && st.doneAt < 0) n++;
    }
    return n;
  }

  private sample(): void {
    const { swarm, leechers, copies } = this;
    const P = swarm.pieces;
    const t = this.world.sim.now;
    this.completed.t.push(t);
    this.completed.v.push(leechers.length === 0 ? 1 : swarm.leechersDone / leechers.length);
    const s = this.seedCopies();
    let mn = Infinity, sum = 0;
    for (let p = 0; p < P; p++) {
      const c = copies[p]! + s;
      if (c < mn) mn = c;
      sum += c;
    }
    this.availMin.t.push(t);
    this.availMin.v.push(mn);
    this.availMean.t.push(t);
    this.availMean.v.push(sum / P);
  }

  private shareRatios(): number[] {
    const out: number[] = [];
    for (const l of this.leechers) {
      const st = this.swarm.state(l);
      if (st && st.downloaded > 0) out.push(st.uploaded / st.downloaded);
    }
    return out;
  }

  summary(): Record<string, SummaryValue> {
    const { world, swarm, leechers, lowerBoundMs } = this;
    const ct = swarm.completionTimes;
    let total = 0, last = -Infinity;
    for (const t of ct) {
      total += t;
      if (t > last) last = t;
    }
    const mean = ct.length ? total / ct.length : null;
    const done = leechers.length === 0 ? 1 : swarm.leechersDone / leechers.length;
    const sr = this.shareRatios().sort((a, b) => a - b);
    const st = swarm.stats;
    let uploaded = 0;
    for (let p = 0; p < world.size; p++) uploaded += swarm.state(p)?.uploaded ?? 0;
    const complete = this.isComplete();
    return {
      meanCompletionMs: mean,
      lastCompletionMs: complete && ct.length > 0 ? last : null,
      lowerBoundMs,
      boundRatio: complete && ct.length > 0 && lowerBoundMs !== null ? last / lowerBoundMs : null,
      completed: done,
      pieces: swarm.pieces,
      leechers: leechers.length,
      wastedBytes: st.duplicateBytes + st.corruptBytes,
      duplicateBytes: st.duplicateBytes,
      corruptBytes: st.corruptBytes,
      hashFails: st.hashFails,
      bans: st.bans,
      violations: st.violations,
      uploadedBytes: uploaded,
      shareRatioMean: sr.length ? sr.reduce((a, b) => a + b, 0) / sr.length : null,
      shareRatioP50: sr.length ? sr[Math.floor((sr.length - 1) / 2)]! : null,
      shareRatioMin: sr.length ? sr[0]! : null,
      shareRatioMax: sr.length ? sr[sr.length - 1]! : null,
    };
  }

  series(): Record<string, Series> {
    return { completed: this.completed, availabilityMin: this.availMin, availabilityMean: this.availMean };
  }

  samples(): Record<string, number[]> {
    const tp: number[] = [];
    for (const l of this.leechers) {
      const st = this.swarm.state(l);
      if (st && st.doneAt >= 0) tp.push((this.fileSize / Math.max(1, st.doneAt - st.joinedAt)) * 1000);
    }
    return { completionMs: [...this.swarm.completionTimes], shareRatio: this.shareRatios(), throughputBps: tp };
  }
}

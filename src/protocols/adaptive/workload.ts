/**
 * The adaptive run's workload: which peers are malicious and how (drop/corrupt split round-robin over
 * a seeded shuffle, spam/badmouth added to all), and the broadcasts, one every `intervalMs` from
 * `startMs`, each by a random honest online peer.
 */
import type { Rng } from '../../core/index.js';
import type { PerPeer, World } from '../../sim/index.js';
import type { Adversary } from './behaviours/index.js';
import type { AdaptiveMeasures } from './measure.js';
import type { AdaptiveMsg } from './messages.js';
import type { AdaptiveParams, AdaptiveWorkload } from './params.js';
import type { AdaptivePeer } from './peer.js';

export function broadcastTimes(w: AdaptiveWorkload): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.broadcasts; i++) out.push(w.startMs + i * w.intervalMs);
  return out;
}

/** Which peers are malicious and how: drop/corrupt split round-robin, spam/badmouth added to all. */
export function pickAdversaries(world: World, p: AdaptiveParams): (Adversary | null)[] {
  const n = world.size;
  const count = Math.round(p.adversaries.fraction * n);
  const rng = world.sim.rng.fork('adaptive:adversaries');
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const colluders = new Uint8Array(n);
  const b = p.adversaries.behaviour;
  const forwarding = b.filter((x) => x === 'drop' || x === 'corrupt');
  const out: (Adversary | null)[] = new Array<Adversary | null>(n).fill(null);
  for (let i = 0; i < count; i++) {
    const m = order[i]!;
    colluders[m] = 1;
    const f = forwarding.length ? forwarding[i % forwarding.length] : null;
    out[m] = {
      drop: f === 'drop',
      corrupt: f === 'corrupt',
      spamPerSec: b.includes('spam') ? p.adversaries.spamPerSec : 0,
      badmouth: b.includes('badmouth'),
      colluders,
    };
  }
  return out;
}

/** Fires the broadcasts at their times, each from a random honest online peer. */
export class Broadcasts {
  private readonly times: number[];
  private readonly srcRng: Rng;
  /** Broadcast times reached so far (a broadcast with no honest peer online is skipped). */
  private fired = 0;

  constructor(
    private readonly world: World,
    private readonly peers: PerPeer<AdaptiveMsg, AdaptivePeer>,
    private readonly measures: AdaptiveMeasures,
    private readonly workload: AdaptiveWorkload,
  ) {
    world.sim.keep(this);
    this.times = broadcastTimes(workload);
    this.srcRng = world.sim.rng.fork('adaptive:sources');
    const sim = world.sim;
    const kind = sim.register(() => this.fire());
    for (const t of this.times) sim.at(Math.max(t, sim.now), kind);
  }

  /** Every broadcast fired and the last one settled. */
  done(): boolean {
    const times = this.times;
    const lastAt = times.length ? times[times.length - 1]! : 0;
    return this.fired >= times.length && this.world.sim.now >= lastAt + this.workload.settleMs;
  }

  private fire(): void {
    const { world, peers } = this;
    const isBad = this.measures.isBad;
    const n = world.size;
    this.fired++;
    let src = -1;
    for (let i = 0; i < 256 && src < 0; i++) {
      const q = this.srcRng.int(n);
      if (isBad[q] === 0 && world.alive[q] === 1 && peers.get(q)) src = q;
    }
    if (src < 0) return;
    let honestOnline = 0;
    for (let p = 0; p < n; p++) if (isBad[p] === 0 && world.alive[p] === 1) honestOnline++;
    // register the id before the peer delivers to itself
    const inst = peers.get(src) as AdaptivePeer;
    this.measures.broadcastStarted(inst.peekNextId(), honestOnline);
    inst.broadcast(this.workload.messageBytes);
  }
}

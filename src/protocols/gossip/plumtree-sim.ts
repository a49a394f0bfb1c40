/**
 * Runs the per-peer Plumtree core (plumtree.ts, the code live peers run) on every peer of a World, over
 * a partial-view membership, and records who got which broadcast when (the driver's metrics).
 *
 * Membership (the "simpler, documented" alternative to HyParView, see docs/gossip.md):
 * - at start, the random symmetric overlay of overlay.ts (degree ~viewSize) is wired with neighborUp;
 * - a peer that joins later links to ceil(viewSize/2) random online peers (HyParView's JOIN, without
 *   the random walk);
 * - when a peer leaves gracefully its neighbours learn at once; when it crashes they learn after
 *   `failureDetectMs` (the failure detector of a TCP/data-channel link). Each neighbour then calls
 *   neighborDown and replaces the link by one to a random online peer (HyParView's promotion of a
 *   passive-view peer), so the active views stay ~viewSize and the overlay connected.
 *
 * A broadcast's payload is `messageBytes` long (at least 4) and starts with its rumour index (u32 LE),
 * which is how the recorder tells broadcasts apart without looking into the core. Who holds which
 * broadcast is a `RumourTable` (rumours.ts), as in the epidemic protocols; a peer's round is the core's
 * hop count, and a broadcast's round at a milestone is the highest hop count seen so far.
 */
import { peerContext, type Port, type Protocol, type World } from '../../sim/index.js';
import type { PeerId } from '../../core/index.js';
import type { PlumtreeMsg } from './codec.js';
import { randomOverlay } from './overlay.js';
import type { GossipParams } from './params.js';
import { newStats, Plumtree, type DeliverInfo, type PlumtreeStats } from './plumtree.js';
import { RumourTable } from './rumours.js';


export class PlumtreeNetwork extends RumourTable implements Protocol<PlumtreeMsg> {
  readonly name = 'plumtree';
  readonly cores: (Plumtree | undefined)[];
  /** Current links of each peer (the membership's active views). */
  readonly views: Set<PeerId>[];
  readonly coreStats: PlumtreeStats = newStats();
  private port!: Port<PlumtreeMsg>;
  private initializing = true;
  private readonly leaves: Uint32Array;
  private detectKind = -1;
  private tickKind = -1;
  private tickArmed = false;

  readonly reachedSeries = { t: [] as number[], v: [] as number[] };
  private readonly capacity: number;
  private readonly maxRound: Int32Array;
  private readonly extra = { malformed: 0, failedBroadcasts: 0 };

  constructor(
    private readonly world: World,
    private readonly params: GossipParams,
    capacity: number,
  ) {
    super(world.size, capacity);
    const n = world.size;
    this.capacity = Math.max(1, capacity);
    this.maxRound = new Int32Array(this.capacity);
    this.cores = new Array(n);
    this.views = Array.from({ length: n }, () => new Set<PeerId>());
    this.leaves = new Uint32Array(n);
    const o = randomOverlay(n, params.viewSize, world.sim.rng.fork('gossip:overlay'));
    for (let p = 0; p < n; p++)
      for (let i = o.offsets[p]!; i < o.offsets[p + 1]!; i++) this.views[p]!.add(o.adj[i]!);
    world.add(this);
    this.initializing = false;
    for (let p = 0; p < n; p++) {
      const c = this.cores[p];
      if (!c) continue;
      for (const q of this.views[p]!) if (world.alive[q] === 1) c.neighborUp(q);
    }
  }

  get stats() {
    const s = this.coreStats;
    return {
      messages: s.gossipSent + s.ihaveSent + s.graftSent + s.pruneSent + s.digestSent + s.repairSent,
      payloadMessages: s.gossipSent + s.repairSent,
      bytes: s.bytesSent,
      duplicates: s.duplicates,
      malformed: s.malformed + this.extra.malformed,
      failedBroadcasts: this.extra.failedBroadcasts,
      repaired: s.repairSent,
    };
  }

  attach(port: Port<PlumtreeMsg>): void {
    this.port = port;
    const sim = port.world.sim;
    this.detectKind = sim.register((peer, arg) => this.detected(peer, arg));
    this.tickKind = sim.register(() => this.tick());
  }

  private makeCore(peer: PeerId): Plumtree {
    const ctx = peerContext(this.port, peer);
    const p = this.params;
    return new Plumtree(ctx, (payload, info) => this.delivered(peer, payload, info), {
      graftTimeoutMs: p.graftTimeoutMs,
      lazyDelayMs: p.lazyDelayMs,
      antiEntropyMs: p.antiEntropyMs,
      seenCapacity: p.seenCapacity,
      limits: { maxPayloadBytes: p.maxMessageBytes },
      stats: this.coreStats,
    });
  }

  // ---- membership -------------------------------------------------------------------------------

  private link(a: PeerId, b: PeerId): void {
    if (a === b || this.views[a]!.has(b)) return;
    this.views[a]!.add(b);
    this.views[b]!.add(a);
    this.cores[a]?.neighborUp(b);
    this.cores[b]?.neighborUp(a);
  }

  private unlink(a: PeerId, b: PeerId): void {
    this.views[a]!.delete(b);
    this.views[b]!.delete(a);
    this.cores[a]?.neighborDown(b);
    this.cores[b]?.neighborDown(a);
  }

  private randomOnline(except: PeerId): PeerId {
    const alive = this.world.alive;
    const rng = this.port.rng;
    for (let i = 0; i < 64; i++) {
      const q = rng.int(this.n);
      if (q !== except && alive[q] === 1 && !this.views[except]!.has(q)) return q;
    }
    return -1;
  }

  /** Drops every link of `peer`; each online neighbour replaces it by a random online peer. */
  private purge(peer: PeerId): void {
    const ns = [...this.views[peer]!];
    for (const q of ns) {
      this.unlink(peer, q);
      if (this.world.alive[q] === 1 && this.views[q]!.size < this.params.viewSize) {
        const r = this.randomOnline(q);
        if (r >= 0) this.link(q, r);
      }
    }
  }

  onJoin(peer: PeerId): void {
    this.cores[peer] = this.makeCore(peer);
    this.cores[peer]!.start();
    if (this.initializing) return;
    this.purge(peer);
    const want = Math.max(1, Math.ceil(this.params.viewSize / 2));
    for (let i = 0; i < want; i++) {
      const q = this.randomOnline(peer);
      if (q >= 0) this.link(peer, q);
    }
    this.wake();
  }

  onLeave(peer: PeerId, graceful: boolean): void {
    if (graceful) this.cores[peer]?.stop();
    this.cores[peer] = undefined;
    this.forget(peer);
    this.leaves[peer]!++;
    if (graceful) this.purge(peer);
    else this.port.world.sim.schedule(this.params.failureDetectMs, this.detectKind, peer, this.leaves[peer]!);
  }

  private detected(peer: PeerId, leaveNo: number): void {
    if (this.world.alive[peer] === 1 || this.leaves[peer] !== leaveNo) return;
    this.purge(peer);
  }

  onMessage(peer: PeerId, from: PeerId, msg: PlumtreeMsg): void {
    const c = this.cores[peer];
    if (c) c.onMessage(from, msg);
  }

  onTimer(peer: PeerId, tag: number, data: unknown): void {
    this.cores[peer]?.onTimer(tag, data);
  }

  // ---- broadcasts and the record ----------------------------------------------------------------

  broadcast(source: PeerId, bytes: number): number {
    const r = this.started;
    if (r >= this.capacity) throw new RangeError(`PlumtreeNetwork.broadcast: capacity ${this.capacity} exhausted`);
    this.started++;
    this.born[r] = this.port.now();
    const core = this.cores[source];
    if (!core || this.world.alive[source] !== 1) {
      this.extra.failedBroadcasts++;
      return -1;
    }
    const payload = new Uint8Array(Math.max(4, bytes));
    new DataView(payload.buffer).setUint32(0, r, true);
    this.record(r, source, -1, 0);
    core.broadcast(payload);
    this.wake();
    return r;
  }

  private delivered(peer: PeerId, payload: Uint8Array, info: DeliverInfo): void {
    if (payload.length < 4) {
      this.extra.malformed++;
      return;
    }
    const r = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
    if (r >= this.started) {
      this.extra.malformed++;
      return;
    }
    if (this.state[r * this.n + peer] !== 0) return;
    this.record(r, peer, info.from, info.round);
  }

  private record(r: number, peer: PeerId, from: PeerId, round: number): void {
    this.mark(r, peer, from, round, this.port.now());
    if (round > this.maxRound[r]!) this.maxRound[r] = round;
    if (this.port.observed) this.port.emit('infected', peer, { rumour: r, from, round });
    this.check(r);
  }

  private check(r: number): void {
    this.reached(r, this.maxRound[r]!, this.world.online, this.port.now());
  }

  private wake(): void {
    if (this.tickArmed) return;
    this.tickArmed = true;
    this.port.world.sim.schedule(this.params.roundMs, this.tickKind);
  }

  /** Samples the dissemination curve every roundMs while a broadcast is still spreading. */
  private tick(): void {
    this.tickArmed = false;
    const online = this.world.online;
    let spreading = false;
    for (let r = 0; r < this.started; r++) {
      this.check(r);
      if (Number.isNaN(this.allAt[r]!) && this.port.now() - this.born[r]! < 60_000) spreading = true;
    }
    const r = this.started - 1;
    if (r >= 0) {
      this.reachedSeries.t.push(this.port.now());
      this.reachedSeries.v.push(online > 0 ? this.holders[r]! / online : 0);
    }
    if (spreading) this.wake();
  }

  links(maxPeer: number): [PeerId, PeerId][] {
    // the tree: eager links (seen from either end), among the first maxPeer peers
    const out: [PeerId, PeerId][] = [];
    const lim = Math.min(maxPeer, this.n);
    for (let a = 0; a < lim; a++) {
      const c = this.cores[a];
      if (!c) continue;
      for (const b of c.eager) if (b < lim && (a < b || !this.cores[b]?.eager.has(a))) out.push(a < b ? [a, b] : [b, a]);
    }
    return out;
  }
}

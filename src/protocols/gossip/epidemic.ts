/**
 * Rumour spreading (push, pull, push-pull; infect-forever or infect-and-die; anti-entropy) as one
 * world-level protocol with struct-of-arrays state, so 10^6 peers cost a few typed arrays.
 *
 * What each peer holds of each rumour is a `RumourTable` (rumours.ts), which this class extends; whom a
 * gossiping peer contacts is `GossipTargets` (targets.ts). A crashed or departed peer loses its state (a
 * rejoining peer is a fresh one).
 *
 * Timing:
 * - rounds: one world event at every k*roundMs; all online peers act in it (the synchronous rounds of
 *   the theory). A peer informed by a message sent in round j acts from round j+1.
 * - async: each peer on its own periodic timer with a random phase; poisson: exponential gaps.
 * Transport:
 * - network: every message is a real simulator event through the World (latency, bandwidth, loss,
 *   partitions); message size = headerBytes + payload (or digest) bytes.
 * - ideal (rounds only): the theory's model computed in bulk per round, no latency; still honours
 *   loss, partitions and offline peers. The theory tests use it: the same rules, ~10x fewer operations.
 *
 * Pull and anti-entropy requests carry a digest of what the requester holds (a bitmap over the rumour
 * ids, whose size is counted); the responder answers with the rumours missing from it. The model reads
 * the requester's state when the request arrives, i.e. the digest is taken at arrival, not at sending.
 *
 * Runs end: when every online peer holds every rumour (or no peer is left that could spread one), the
 * round/timer chains stop and restart on a new broadcast, a join or a new infection. Message counts are
 * therefore those needed to finish, not those of an unbounded infect-forever run.
 *
 * Feed events (when observed): `infected` {rumour, from, round} and `removed` {rumour}, per peer.
 */
import type { PeerId } from '../../core/index.js';
import type { Port, Protocol } from '../../sim/index.js';
import type { Overlay } from './overlay.js';
import type { Mode } from './params.js';
import { RumourTable } from './rumours.js';
import { GossipTargets } from './targets.js';

export type EpidemicVariant = 'push' | 'pull' | 'push-pull';

export interface EpidemicConfig {
  variant: EpidemicVariant;
  mode: Mode;
  fanout: number;
  roundMs: number;
  timing: 'rounds' | 'async' | 'poisson';
  transport: 'network' | 'ideal';
  /** Partial views, or null for full knowledge (uniform random targets). */
  overlay: Overlay | null;
  antiEntropyMs: number;
  headerBytes: number;
  /** Rumours this run can carry (the number of broadcasts). */
  capacity: number;
}

// message kinds (msg = kind + 8 * (rumour + capacity * round))
const PUSH = 0;
const PULL = 1;
const PULL_REPLY = 2;
const AE_REQ = 3;
const AE_DIGEST = 4;
const AE_DATA = 5;
const KINDS = 6;

const TIMER_GOSSIP = 1;
const TIMER_AE = 2;

export interface EpidemicStats {
  /** Messages sent (all kinds). */
  messages: number;
  /** Messages that carried a payload. */
  payloadMessages: number;
  bytes: number;
  /** Payload messages that arrived at a peer that already had the rumour. */
  duplicates: number;
  /** Messages ignored because they were not valid gossip. */
  malformed: number;
  /** Broadcasts that could not start (their source was offline). */
  failedBroadcasts: number;
  /** Rumours repaired by anti-entropy (received through AE_DATA). */
  repaired: number;
}

export class Epidemic extends RumourTable implements Protocol<number> {
  readonly name = 'gossip';
  private port!: Port<number>;
  private readonly cfg: EpidemicConfig;

  readonly stats: EpidemicStats = {
    messages: 0,
    payloadMessages: 0,
    bytes: 0,
    duplicates: 0,
    malformed: 0,
    failedBroadcasts: 0,
    repaired: 0,
  };

  /** Per tick: time and fraction reached of the latest broadcast. */
  readonly reachedSeries = { t: [] as number[], v: [] as number[] };

  private tickKind = -1;
  private tickArmed = false;
  /** False once the peers' timer chains stopped (nothing left to do). */
  private timersRunning = false;
  private aeRunning = false;
  private readonly gossipTimerArmed: Uint8Array;
  private readonly aeTimerArmed: Uint8Array;
  private readonly targets: GossipTargets;
  private spreadingAt = NaN;
  private spreadingVal = false;

  constructor(n: number, cfg: EpidemicConfig) {
    super(n, cfg.capacity);
    this.cfg = cfg;
    this.targets = new GossipTargets(n, cfg.fanout, cfg.overlay);
    const timers = cfg.timing !== 'rounds';
    this.gossipTimerArmed = new Uint8Array(timers ? n : 0);
    this.aeTimerArmed = new Uint8Array(cfg.antiEntropyMs > 0 ? n : 0);
  }

  attach(port: Port<number>): void {
    this.port = port;
    this.tickKind = port.world.sim.register(() => this.tick());
  }

  // ---- broadcasts -------------------------------------------------------------------------------

  /** Starts rumour number `this.started` at `source` with a payload of `bytes`. Returns its index or -1. */
  broadcast(source: PeerId, bytes: number): number {
    const r = this.started;
    if (r >= this.cfg.capacity) throw new RangeError(`Epidemic.broadcast: capacity ${this.cfg.capacity} exhausted`);
    this.started++;
    const now = this.port.now();
    this.born[r] = now;
    this.size[r] = bytes;
    this.baseTick[r] = Math.floor(now / this.cfg.roundMs + 1e-9);
    if (!this.port.isAlive(source)) {
      this.stats.failedBroadcasts++;
      return -1;
    }
    this.source[r] = source;
    this.infect(r, source, -1, 0);
    this.sample();
    return r;
  }

  // ---- state changes ----------------------------------------------------------------------------

  private infect(r: number, p: PeerId, from: PeerId, j: number): void {
    this.spreadingAt = NaN;
    this.mark(r, p, from, j, this.port.now());
    if (this.port.observed) this.port.emit('infected', p, { rumour: r, from, round: j });
    this.checkReached(r, j);
    this.wake();
  }

  private retire(r: number, idx: number): void {
    this.state[idx] = 2;
    this.active[r]!--;
    if (this.port.observed) this.port.emit('removed', idx - r * this.n, { rumour: r });
  }

  private checkReached(r: number, j: number): void {
    this.reached(r, j, this.port.world.online, this.port.now());
  }

  onJoin(peer: PeerId): void {
    // a fresh peer: its state was cleared when it left; there may be work again
    if (this.started === 0) return;
    this.wake();
    if (this.cfg.timing !== 'rounds' && this.timersRunning && this.gossipTimerArmed[peer] === 0) this.armGossip(peer, true);
    if (this.cfg.antiEntropyMs > 0 && this.aeRunning && this.aeTimerArmed[peer] === 0) this.armAe(peer, true);
  }

  onLeave(peer: PeerId): void {
    this.forget(peer);
    if (this.gossipTimerArmed.length) this.gossipTimerArmed[peer] = 0;
    if (this.aeTimerArmed.length) this.aeTimerArmed[peer] = 0;
  }

  // ---- scheduling -------------------------------------------------------------------------------

  /** True while some rumour could still reach an online peer that lacks it. */
  private spreading(): boolean {
    const now = this.port.now();
    if (now === this.spreadingAt) return this.spreadingVal;
    const online = this.port.world.online;
    let v = false;
    for (const r of this.liveRumours())
      if (this.holders[r]! < online && this.active[r]! > 0) {
        v = true;
        break;
      }
    this.spreadingAt = now;
    this.spreadingVal = v;
    return v;
  }

  /** Restarts the round ticker and timer chains if they stopped. */
  private wake(): void {
    const sim = this.port.world.sim;
    if (!this.tickArmed) {
      this.tickArmed = true;
      const k = Math.floor(sim.now / this.cfg.roundMs + 1e-9) + 1;
      sim.at(Math.max(sim.now, k * this.cfg.roundMs), this.tickKind);
    }
    if (this.cfg.timing !== 'rounds' && !this.timersRunning) {
      this.timersRunning = true;
      const alive = this.port.world.alive;
      for (let p = 0; p < this.n; p++) if (alive[p] === 1 && this.gossipTimerArmed[p] === 0) this.armGossip(p, true);
    }
    if (this.cfg.antiEntropyMs > 0 && !this.aeRunning) {
      this.aeRunning = true;
      const alive = this.port.world.alive;
      for (let p = 0; p < this.n; p++) if (alive[p] === 1 && this.aeTimerArmed[p] === 0) this.armAe(p, true);
    }
  }

  private armGossip(p: PeerId, first: boolean): void {
    const rng = this.port.rng;
    const T = this.cfg.roundMs;
    const d = this.cfg.timing === 'poisson' ? rng.exponential(T) : first ? rng.float() * T : T;
    this.gossipTimerArmed[p] = 1;
    this.port.setTimer(p, d, TIMER_GOSSIP);
  }

  private armAe(p: PeerId, first: boolean): void {
    const T = this.cfg.antiEntropyMs;
    this.aeTimerArmed[p] = 1;
    this.port.setTimer(p, first ? this.port.rng.float() * T : T, TIMER_AE);
  }

  /** The world-level round event: samples the curve and, in rounds timing, runs a round. */
  private tick(): void {
    this.tickArmed = false;
    this.liveDirty = true;
    this.spreadingAt = NaN;
    const now = this.port.now();
    const k = Math.round(now / this.cfg.roundMs);
    if (this.cfg.timing === 'rounds') {
      if (this.cfg.transport === 'ideal') this.idealRound(k);
      else {
        const alive = this.port.world.alive;
        const live = this.liveRumours();
        if (this.cfg.variant === 'push' && live.length === 1) {
          // one rumour spreading by push: only its infected peers act (skip the scan of act())
          const state = this.state;
          const base = live[0]! * this.n;
          for (let p = 0; p < this.n; p++) if (state[base + p] === 1 && alive[p] === 1) this.act(p, k);
        } else for (let p = 0; p < this.n; p++) if (alive[p] === 1) this.act(p, k);
      }
    }
    for (let r = 0; r < this.started; r++) this.checkReached(r, k - this.baseTick[r]!);
    this.sample();
    if (!this.tickArmed && (this.spreading() || (this.cfg.antiEntropyMs > 0 && this.repairable(this.port.world.online)))) {
      this.tickArmed = true;
      this.port.world.sim.at((k + 1) * this.cfg.roundMs, this.tickKind);
    }
  }

  private sample(): void {
    const r = this.started - 1;
    if (r < 0) return;
    const online = this.port.world.online;
    const s = this.reachedSeries;
    const t = this.port.now();
    const v = online > 0 ? this.holders[r]! / online : 0;
    if (s.t.length > 0 && s.t[s.t.length - 1] === t) s.v[s.v.length - 1] = v;
    else {
      s.t.push(t);
      s.v.push(v);
    }
  }

  onTimer(peer: PeerId, tag: number): void {
    if (tag === TIMER_GOSSIP) {
      this.gossipTimerArmed[peer] = 0;
      if (!this.timersRunning) return;
      if (!this.spreading()) {
        this.timersRunning = false;
        return;
      }
      this.act(peer, -1);
      this.armGossip(peer, false);
    } else if (tag === TIMER_AE) {
      this.aeTimerArmed[peer] = 0;
      if (!this.aeRunning) return;
      if (!this.repairable(this.port.world.online)) {
        this.aeRunning = false;
        return;
      }
      const t = this.targets.pick(peer, 1, this.port.rng);
      if (t > 0) this.send(peer, this.targets.list[0]!, AE_REQ, 0, 0);
      this.armAe(peer, false);
    }
  }

  // ---- one peer's gossip action (network transport) ---------------------------------------------

  private relRound(r: number, k: number): number {
    if (k >= 0) return k - this.baseTick[r]!;
    return Math.max(1, Math.ceil((this.port.now() - this.born[r]!) / this.cfg.roundMs - 1e-9));
  }

  /** Peer p's gossip action at global tick k (or -1 on its own timer). */
  private act(p: PeerId, k: number): void {
    const n = this.n;
    const rng = this.port.rng;
    const variant = this.cfg.variant;
    const die = this.cfg.mode === 'infect-and-die';
    let count = -1;
    const live = this.liveRumours();
    if (variant !== 'pull') {
      for (let li = 0; li < live.length; li++) {
        const r = live[li]!;
        const idx = r * n + p;
        if (this.state[idx] !== 1) continue;
        if (k >= 0 && k <= this.baseTick[r]!) continue; // born at this very tick: next round
        if (count < 0) count = this.targets.pick(p, this.targets.count(rng), rng);
        const j = this.relRound(r, k);
        for (let i = 0; i < count; i++) this.send(p, this.targets.list[i]!, PUSH, r, j);
        if (die) this.retire(r, idx);
      }
    }
    if (variant !== 'push' && this.started > 0) {
      if (count < 0) count = this.targets.pick(p, this.targets.count(rng), rng);
      for (let i = 0; i < count; i++) this.send(p, this.targets.list[i]!, PULL, 0, k >= 0 ? k : -1);
    }
    if (variant === 'pull' && die) {
      // a pull-only peer answers requests for one gossip period after it was informed, then stops
      const now = this.port.now();
      for (const r of live) {
        const idx = r * n + p;
        if (this.state[idx] === 1 && this.at[idx]! < now) this.retire(r, idx);
      }
    }
  }

  private digestBytes(): number {
    return Math.ceil(this.started / 8);
  }

  private send(from: PeerId, to: PeerId, kind: number, r: number, j: number): void {
    const payload = kind === PUSH || kind === PULL_REPLY || kind === AE_DATA;
    const bytes = this.cfg.headerBytes + (payload ? this.size[r]! : this.digestBytes());
    this.stats.messages++;
    this.stats.bytes += bytes;
    if (payload) this.stats.payloadMessages++;
    const jj = j < 0 ? 0 : j;
    this.port.send(from, to, kind + KINDS * (r + this.cfg.capacity * jj), bytes);
  }

  onMessage(peer: PeerId, from: PeerId, msg: number): void {
    // Messages come from other peers: validate before use, count and drop anything else.
    if (typeof msg !== 'number' || !Number.isSafeInteger(msg) || msg < 0 || from < 0 || from >= this.n) {
      this.stats.malformed++;
      return;
    }
    const kind = msg % KINDS;
    const rest = (msg - kind) / KINDS;
    const r = rest % this.cfg.capacity;
    const j = (rest - r) / this.cfg.capacity;
    if (r >= this.started) {
      this.stats.malformed++;
      return;
    }
    const n = this.n;
    switch (kind) {
      case PUSH:
      case PULL_REPLY:
      case AE_DATA:
        if (kind === AE_DATA && this.state[r * n + peer] === 0) this.stats.repaired++;
        this.receive(peer, from, r, kind === AE_DATA ? this.relRound(r, -1) : kind === PULL_REPLY ? this.pullRound(r, j) : j);
        break;
      case PULL: {
        const forever = this.cfg.mode === 'infect-forever';
        for (const q of this.liveRumours()) {
          const s = this.state[q * n + peer];
          if ((s === 1 || (forever && s === 2)) && this.state[q * n + from] === 0) this.send(peer, from, PULL_REPLY, q, j);
        }
        break;
      }
      case AE_REQ:
        this.sendMissing(peer, from);
        this.send(peer, from, AE_DIGEST, 0, 0);
        break;
      case AE_DIGEST:
        this.sendMissing(peer, from);
        break;
      default:
        this.stats.malformed++;
    }
  }

  /** A pull reply carries the global tick of the request (or 0 in async): the round of the receiver. */
  private pullRound(r: number, k: number): number {
    return this.cfg.timing === 'rounds' && k > 0 ? k - this.baseTick[r]! : this.relRound(r, -1);
  }

  private sendMissing(peer: PeerId, to: PeerId): void {
    const n = this.n;
    for (let q = 0; q < this.started; q++)
      if (this.state[q * n + peer]! >= 1 && this.state[q * n + to] === 0) this.send(peer, to, AE_DATA, q, 0);
  }

  private receive(p: PeerId, from: PeerId, r: number, j: number): void {
    if (this.state[r * this.n + p] !== 0) {
      this.stats.duplicates++;
      return;
    }
    this.infect(r, p, from, j);
  }

  // ---- the ideal (synchronous, bulk) round ------------------------------------------------------

  private idealRound(k: number): void {
    const n = this.n;
    const alive = this.port.world.alive;
    const net = this.port.world.net;
    const rng = this.port.rng;
    const loss = net.loss;
    const variant = this.cfg.variant;
    const die = this.cfg.mode === 'infect-and-die';
    const state = this.state;
    const round = this.round;
    const hb = this.cfg.headerBytes;
    const st = this.stats;
    // eligible to spread rumour r in round j: informed before it, and (infect-and-die) in the last one
    const eligible = (idx: number, j: number): boolean => {
      const rr = round[idx]!;
      return state[idx] !== 0 && rr < j && (!die || rr === j - 1);
    };
    const cut = net.partitioned;
    const live = this.liveRumours().slice();
    if (die)
      for (const r of live) {
        const j = k - this.baseTick[r]!;
        for (let p = 0, idx = r * n; p < n; p++, idx++)
          if (state[idx] === 1 && round[idx]! < j - 1) this.retire(r, idx);
      }
    for (let p = 0; p < n; p++) {
      if (alive[p] !== 1) continue;
      let count = -1;
      if (variant !== 'pull') {
        for (let li = 0; li < live.length; li++) {
          const r = live[li]!;
          const j = k - this.baseTick[r]!;
          if (j < 1) continue;
          const idx = r * n + p;
          if (!eligible(idx, j)) continue;
          if (count < 0) count = this.targets.pick(p, this.targets.count(rng), rng);
          const bytes = hb + this.size[r]!;
          const targets = this.targets.list;
          st.messages += count;
          st.payloadMessages += count;
          st.bytes += bytes * count;
          const base = r * n;
          for (let i = 0; i < count; i++) {
            const q = targets[i]!;
            if (alive[q] !== 1 || (cut && net.separated(p, q)) || (loss > 0 && rng.float() < loss)) continue;
            if (state[base + q] !== 0) st.duplicates++;
            else this.infectQuiet(r, q, p, j);
          }
          if (die && state[idx] === 1) this.retire(r, idx);
        }
      }
      if (variant !== 'push' && this.started > 0) {
        if (count < 0) count = this.targets.pick(p, this.targets.count(rng), rng);
        for (let i = 0; i < count; i++) {
          const q = this.targets.list[i]!;
          st.messages++;
          st.bytes += hb + this.digestBytes();
          if (alive[q] !== 1 || (cut && net.separated(p, q)) || (loss > 0 && rng.float() < loss)) continue;
          for (let li = 0; li < live.length; li++) {
            const r = live[li]!;
            const j = k - this.baseTick[r]!;
            if (j < 1 || state[r * n + p] !== 0 || !eligible(r * n + q, j)) continue;
            const bytes = hb + this.size[r]!;
            st.messages++;
            st.payloadMessages++;
            st.bytes += bytes;
            if ((cut && net.separated(q, p)) || (loss > 0 && rng.float() < loss)) continue;
            this.infectQuiet(r, p, q, j);
          }
        }
      }
    }
  }

  /** infect without re-arming the ticker (the ideal round decides that itself). */
  private infectQuiet(r: number, p: PeerId, from: PeerId, j: number): void {
    this.mark(r, p, from, j, this.port.now());
    this.checkReached(r, j);
  }
}

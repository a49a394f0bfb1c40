/**
 * The World: N peers on a modelled network, running any number of protocols, in virtual time.
 *
 * Two ways to write a protocol, both sans-IO (no sockets, clocks or Math.random: all handed in):
 * - `Protocol`: one object handles the events of every peer (so it can keep per-peer state in typed
 *   arrays: the lean form for 10^6 peers). It gets a `Port` to send messages and set timers.
 * - `PeerProtocol` (src/core/protocol.ts): one state machine per peer with a `PeerContext`. This is the
 *   form the live network drives with real time and WebRTC channels; `PerPeer` runs it in the simulator.
 *
 * Messages are objects passed by reference (never mutate one after sending); `bytes` is its wire size,
 * which the network model uses for transmission time.
 */
import type { Simulator } from './engine.js';
import type { DropReason, ProtocolEvent } from './feed.js';
import { Network, type NetworkConfig } from './network.js';
import type { PeerId, TimerId } from '../core/ids.js';
import type { PeerContext, PeerProtocol } from '../core/protocol.js';
import type { Rng } from '../core/rng.js';

export interface Protocol<M = unknown> {
  readonly name: string;
  /** Called once when added to the world, before any other call. */
  attach(port: Port<M>): void;
  /** A peer came online (at start, or by churn). */
  onJoin?(peer: PeerId): void;
  /** A peer went offline; `graceful` false means it crashed. Its pending timers will not fire. */
  onLeave?(peer: PeerId, graceful: boolean): void;
  onMessage(peer: PeerId, from: PeerId, msg: M): void;
  onTimer(peer: PeerId, tag: number, data: unknown): void;
}

/** What the world offers a protocol: the only way it touches time, randomness and the network. */
export interface Port<M = unknown> {
  readonly world: World;
  readonly rng: Rng;
  now(): number;
  send(from: PeerId, to: PeerId, msg: M, bytes: number): void;
  /** Fires onTimer(peer, tag, data) after delayMs unless cancelled or the peer leaves. tag: 0..65535 */
  setTimer(peer: PeerId, delayMs: number, tag: number, data?: unknown): TimerId;
  cancelTimer(id: TimerId): boolean;
  isAlive(peer: PeerId): boolean;
  /** Emits a protocol event on the feed (only builds it if someone listens). */
  emit(kind: string, peer: PeerId, data?: Record<string, unknown>): void;
  /** True if anyone listens to the feed: guard expensive event construction with it. */
  readonly observed: boolean;
}

export interface WorldOptions {
  peers: number;
  network?: NetworkConfig;
  /** Peers online at time 0. Default: all. */
  initiallyAlive?: number | ((peer: PeerId) => boolean);
}

const FROM_BITS = 2 ** 24; // message events pack (bytes, from) in one number
const TAG_BITS = 65536; // timer events pack (epoch, tag) in one number
const MAX_BYTES = 2 ** 28; // larger messages are accounted as 256 MiB (bytes * FROM_BITS stays exact)

export class World {
  readonly sim: Simulator;
  readonly net: Network;
  readonly size: number;
  /** 1 if the peer is online. */
  readonly alive: Uint8Array;
  /** Bumped on every join/leave so timers of an earlier session never fire. */
  private readonly epoch: Uint32Array;
  private readonly protocols: Protocol<unknown>[] = [];
  private readonly ports: Port<unknown>[] = [];
  private aliveCount = 0;
  /** Counters every run wants, kept here so they cost nothing extra. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, bytesSent: 0 };

  constructor(sim: Simulator, opts: WorldOptions) {
    if (!Number.isInteger(opts.peers) || opts.peers < 1 || opts.peers >= FROM_BITS)
      throw new RangeError(`peers: expected an integer in [1, ${FROM_BITS - 1}], got ${opts.peers}`);
    this.sim = sim;
    this.size = opts.peers;
    this.net = new Network(opts.peers, opts.network ?? {}, sim.rng.fork('network'));
    this.alive = new Uint8Array(opts.peers);
    this.epoch = new Uint32Array(opts.peers);
    const init = opts.initiallyAlive;
    for (let i = 0; i < this.size; i++) {
      const on = init === undefined ? true : typeof init === 'number' ? i < init : init(i);
      if (on) {
        this.alive[i] = 1;
        this.aliveCount++;
      }
    }
  }

  get online(): number {
    return this.aliveCount;
  }

  isAlive(peer: PeerId): boolean {
    return this.alive[peer] === 1;
  }

  /** Adds a protocol and calls onJoin for every peer already online. Returns its index. */
  add<M>(protocol: Protocol<M>): number {
    const index = this.protocols.length;
    const sim = this.sim;
    const world = this;
    const net = this.net;
    const feed = sim.feed;
    const stats = this.stats;
    const alive = this.alive;
    const epoch = this.epoch;
    const size = this.size;
    const deliverKind = sim.register((to, arg, msg) => {
      // not `arg % FROM_BITS`: V8 computes % of doubles with x87 fprem; this is exact for any packed arg
      const bytes = Math.floor(arg / FROM_BITS);
      const from = arg - bytes * FROM_BITS;
      let reason: DropReason | null = null;
      if (alive[to] !== 1) reason = 'offline';
      else if (net.separated(from, to)) reason = 'partition';
      if (reason !== null) {
        stats.dropped++;
        if (feed.active) feed.emit({ type: 'dropped', t: sim.now, from, to, bytes, proto: index, reason });
        return;
      }
      stats.delivered++;
      if (feed.active) feed.emit({ type: 'delivered', t: sim.now, from, to, bytes, proto: index });
      protocol.onMessage(to, from, msg as M);
    });
    const timerKind = sim.register((peer, arg, data) => {
      const ep = Math.floor(arg / TAG_BITS);
      if (alive[peer] !== 1 || epoch[peer] !== ep) return;
      protocol.onTimer(peer, arg - ep * TAG_BITS, data);
    });
    const rng = sim.rng.fork(`protocol:${protocol.name}:${index}`);
    const port: Port<M> = {
      world,
      rng,
      now: () => sim.now,
      get observed() {
        return feed.active;
      },
      send(from, to, msg, bytes) {
        if (!(from >= 0 && from < size && to >= 0 && to < size && (from | 0) === from && (to | 0) === to))
          throw new RangeError(`${protocol.name}: send from ${from} to ${to}: peer ids are integers in [0, ${size - 1}]`);
        if (!(bytes >= 0 && bytes !== Infinity))
          throw new RangeError(`${protocol.name}: send from ${from} to ${to}: bytes must be a finite number >= 0, got ${bytes}`);
        // whole bytes, and within what the event packs beside the sender id
        bytes = Math.min(Math.ceil(bytes), MAX_BYTES);
        stats.sent++;
        stats.bytesSent += bytes;
        if (feed.active) feed.emit({ type: 'sent', t: sim.now, from, to, bytes, proto: index });
        if (alive[from] !== 1) {
          // a peer that is offline cannot put anything on the wire
          stats.dropped++;
          if (feed.active) feed.emit({ type: 'dropped', t: sim.now, from, to, bytes, proto: index, reason: 'offline' });
          return;
        }
        const at = net.transmit(from, to, bytes, sim.now);
        if (at < 0) {
          stats.dropped++;
          if (feed.active)
            feed.emit({ type: 'dropped', t: sim.now, from, to, bytes, proto: index, reason: at === -2 ? 'partition' : 'loss' });
          return;
        }
        sim.at(at, deliverKind, to, bytes * FROM_BITS + from, msg);
      },
      setTimer(peer, delayMs, tag, data) {
        if (!((tag & 0xffff) === tag)) throw new RangeError(`${protocol.name}: timer tag must be an integer in [0, 65535], got ${tag}`);
        return sim.schedule(delayMs, timerKind, peer, epoch[peer]! * TAG_BITS + tag, data);
      },
      cancelTimer: (id) => sim.cancel(id),
      isAlive: (peer) => alive[peer] === 1,
      emit(kind, peer, data) {
        if (!feed.active) return;
        const ev: ProtocolEvent = { type: 'protocol', t: sim.now, proto: protocol.name, kind, peer };
        if (data !== undefined) ev.data = data;
        feed.emit(ev);
      },
    };
    this.protocols.push(protocol as Protocol<unknown>);
    this.ports.push(port as Port<unknown>);
    protocol.attach(port);
    if (protocol.onJoin) for (let i = 0; i < this.size; i++) if (alive[i] === 1) protocol.onJoin(i);
    return index;
  }

  /**
   * Bytes of per-peer engine state: the World's arrays plus the Network's (protocols' own state not
   * included). Divide by `size` for the cost of an idle peer.
   */
  memoryBytes(): number {
    return this.alive.byteLength + this.epoch.byteLength + this.net.memoryBytes();
  }

  private checkPeer(peer: PeerId, what: string): void {
    if (!(peer >= 0 && peer < this.size && (peer | 0) === peer))
      throw new RangeError(`World.${what}: peer ${peer} is not an integer in [0, ${this.size - 1}]`);
  }

  /** Brings a peer online (no-op if it is). */
  join(peer: PeerId): void {
    this.checkPeer(peer, 'join');
    if (this.alive[peer] === 1) return;
    this.alive[peer] = 1;
    this.aliveCount++;
    this.epoch[peer] = (this.epoch[peer]! + 1) >>> 0;
    this.net.resetQueues(peer);
    const feed = this.sim.feed;
    if (feed.active) feed.emit({ type: 'joined', t: this.sim.now, peer });
    for (const p of this.protocols) p.onJoin?.(peer);
  }

  /** Takes a peer offline: graceful (it may say goodbye in onLeave) or a crash. */
  leave(peer: PeerId, graceful: boolean): void {
    this.checkPeer(peer, 'leave');
    if (this.alive[peer] !== 1) return;
    if (graceful) for (const p of this.protocols) p.onLeave?.(peer, true);
    this.alive[peer] = 0;
    this.aliveCount--;
    this.epoch[peer] = (this.epoch[peer]! + 1) >>> 0;
    this.net.resetQueues(peer);
    if (!graceful) for (const p of this.protocols) p.onLeave?.(peer, false);
    const feed = this.sim.feed;
    if (feed.active) feed.emit({ type: 'left', t: this.sim.now, peer, graceful });
  }
}

export function peerContext<M>(port: Port<M>, peer: PeerId): PeerContext<M> {
  return new PortContext(port, peer);
}

/**
 * A class rather than an object of closures: one small object per peer (a million peers each with
 * six closures of their own would hold ~1 KB apiece).
 */
class PortContext<M> implements PeerContext<M> {
  readonly rng: Rng;

  constructor(
    private readonly port: Port<M>,
    readonly id: PeerId,
  ) {
    this.rng = port.rng;
  }

  now(): number {
    return this.port.now();
  }

  send(to: PeerId, msg: M, bytes: number): void {
    this.port.send(this.id, to, msg, bytes);
  }

  setTimer(delayMs: number, tag: number, data?: unknown): TimerId {
    return this.port.setTimer(this.id, delayMs, tag, data);
  }

  cancelTimer(id: TimerId): boolean {
    return this.port.cancelTimer(id);
  }

  emit(kind: string, data?: Record<string, unknown>): void {
    this.port.emit(kind, this.id, data);
  }
}

/**
 * Runs one PeerProtocol instance per online peer. A crashed peer's instance is discarded; on rejoin
 * a fresh one is made (pass `keepState` to reuse the old one, e.g. for persisted state).
 */
export class PerPeer<M, P extends PeerProtocol<M>> implements Protocol<M> {
  readonly instances: (P | undefined)[] = [];
  private port!: Port<M>;

  constructor(
    readonly name: string,
    private readonly factory: (ctx: PeerContext<M>) => P,
    private readonly keepState = false,
  ) {}

  attach(port: Port<M>): void {
    this.port = port;
    this.instances.length = port.world.size;
  }

  get(peer: PeerId): P | undefined {
    return this.instances[peer];
  }

  onJoin(peer: PeerId): void {
    let inst = this.keepState ? this.instances[peer] : undefined;
    if (!inst) {
      inst = this.factory(peerContext(this.port, peer));
      this.instances[peer] = inst;
    }
    inst.start?.();
  }

  onLeave(peer: PeerId, graceful: boolean): void {
    if (graceful) this.instances[peer]?.stop?.();
    if (!this.keepState) this.instances[peer] = undefined;
  }

  onMessage(peer: PeerId, from: PeerId, msg: M): void {
    this.instances[peer]?.onMessage(from, msg);
  }

  onTimer(peer: PeerId, tag: number, data: unknown): void {
    this.instances[peer]?.onTimer(tag, data);
  }
}

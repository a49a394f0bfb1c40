/**
 * Runs a sans-IO per-peer protocol (the `PeerProtocol`/`PeerContext` form of src/core/protocol.ts) in real
 * time: `now()` is the monotonic clock, timers are setTimeout, `send` goes to a real link through the
 * protocol's codec. The simulator drives the very same protocol object in virtual time.
 */
import { Rng } from '../../core/index.js';
import type { PeerContext, PeerProtocol } from '../../core/index.js';

/** What the overlay needs from a dissemination core (contract 5 of ownership.md). */
export interface GossipCore<M> extends PeerProtocol<M> {
  neighborUp(peer: number): void;
  neighborDown(peer: number): void;
  broadcast(payload: Uint8Array): void;
}

export interface GossipCodec<M> {
  encode(msg: M): Uint8Array;
  decode(bytes: Uint8Array): M;
}

/** A dissemination core plus its codec, made for one peer. */
export interface GossipFactory<M = unknown> {
  name: string;
  codec: GossipCodec<M>;
  create(ctx: PeerContext<M>, onDeliver: (payload: Uint8Array) => void): GossipCore<M>;
}

export class RealtimeContext<M> implements PeerContext<M> {
  readonly rng: Rng;
  private nextTimer = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private disposed = false;
  /** Set by the owner once the protocol exists. */
  protocol: PeerProtocol<M> | null = null;

  constructor(
    readonly id: number,
    seed: number,
    private readonly sink: (to: number, msg: M, bytes: number) => void,
    private readonly onEmit: (kind: string, data?: Record<string, unknown>) => void = () => {},
  ) {
    this.rng = new Rng(seed);
  }

  now(): number {
    return performance.now();
  }

  send(to: number, msg: M, bytes: number): void {
    if (!this.disposed) this.sink(to, msg, bytes);
  }

  setTimer(delayMs: number, tag: number, data?: unknown): number {
    const id = this.nextTimer++;
    const h = setTimeout(() => {
      this.timers.delete(id);
      if (!this.disposed) this.protocol?.onTimer(tag, data);
    }, Math.max(0, delayMs));
    (h as { unref?: () => void }).unref?.();
    this.timers.set(id, h);
    return id;
  }

  cancelTimer(id: number): boolean {
    const h = this.timers.get(id);
    if (h === undefined) return false;
    clearTimeout(h);
    this.timers.delete(id);
    return true;
  }

  emit(kind: string, data?: Record<string, unknown>): void {
    this.onEmit(kind, data);
  }

  dispose(): void {
    this.disposed = true;
    for (const h of this.timers.values()) clearTimeout(h);
    this.timers.clear();
  }
}

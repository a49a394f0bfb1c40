/**
 * The sans-IO contract a per-peer protocol is written against. The simulator drives it over a modelled
 * network in virtual time (src/sim/world.ts, `PerPeer`); the live network drives the same code over
 * WebRTC data channels in real time. A protocol touches time, randomness and the network only through
 * the context it is handed: no sockets, clocks or Math.random.
 */
import type { PeerId, TimerId } from './ids.js';
import type { Rng } from './rng.js';

/** The context a per-peer state machine gets: its own id, time, randomness, sending and timers. */
export interface PeerContext<M = unknown> {
  readonly id: PeerId;
  readonly rng: Rng;
  now(): number;
  /** `bytes` is the message's wire size, which a network model uses for transmission time. */
  send(to: PeerId, msg: M, bytes: number): void;
  /** Fires onTimer(tag, data) after delayMs unless cancelled or the peer leaves. tag: 0..65535 */
  setTimer(delayMs: number, tag: number, data?: unknown): TimerId;
  cancelTimer(id: TimerId): boolean;
  /** An event on the observer feed, in the protocol's own words (`infected`, `lookup-step`...). */
  emit(kind: string, data?: Record<string, unknown>): void;
}

/** A sans-IO state machine for one peer. */
export interface PeerProtocol<M = unknown> {
  /** The peer came online. */
  start?(): void;
  /** The peer leaves gracefully (a crash just drops the instance). */
  stop?(): void;
  onMessage(from: PeerId, msg: M): void;
  onTimer(tag: number, data: unknown): void;
}

/**
 * A context over another one that changes only how a message goes out (encoded to bytes, counted...):
 * time, timers and feed events are the inner context's. Subclasses write `send`. A class, not an object
 * of closures, so a simulation's keyframes copy it (src/sim/snapshot.ts).
 */
export abstract class ForwardingContext<M, Inner = M> implements PeerContext<M> {
  readonly id: PeerId;
  readonly rng: Rng;

  constructor(protected readonly inner: PeerContext<Inner>) {
    this.id = inner.id;
    this.rng = inner.rng;
  }

  abstract send(to: PeerId, msg: M, bytes: number): void;

  now(): number {
    return this.inner.now();
  }

  setTimer(delayMs: number, tag: number, data?: unknown): TimerId {
    return this.inner.setTimer(delayMs, tag, data);
  }

  cancelTimer(id: TimerId): boolean {
    return this.inner.cancelTimer(id);
  }

  emit(kind: string, data?: Record<string, unknown>): void {
    this.inner.emit(kind, data);
  }
}

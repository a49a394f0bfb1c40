/**
 * The sync peer (src/protocols/sync/peer.ts, the code live peers run) inside the simulated room: its
 * SyncContext (virtual time, the room's timers) and its SyncHost (the room's links and signaling server),
 * both small classes over the room, and the meter that counts what it sends and receives.
 */
import type * as Y from 'yjs';
import type { PeerId, Rng, TimerId } from '../../../core/index.js';
import type { SyncContext } from '../context.js';
import type { SyncEvent, SyncHost } from '../host.js';
import { SyncPeer, trafficClass, type SharedStats } from '../peer.js';
import type { SyncOptions } from '../options.js';
import type { SyncCodec } from '../wire/codec.js';
import type { Frame, LinkSignal, TrafficClass } from '../wire/frames.js';
import type { SignalingMsg } from '../wire/signaling.js';
import type { SimAwareness } from './awareness.js';
import type { Meter } from './measure.js';
import type { RoomPeer, RoomSignal, SimRoom } from './room.js';

class RoomContext implements SyncContext {
  constructor(
    readonly id: PeerId,
    readonly rng: Rng,
    private readonly room: SimRoom<Frame>,
  ) {}
  now(): number {
    return this.room.now();
  }
  setTimer(delayMs: number, tag: number, data?: unknown): TimerId {
    return this.room.setTimer(this.id, delayMs, tag, data);
  }
  cancelTimer(id: TimerId): boolean {
    return this.room.cancelTimer(id);
  }
  emit(kind: string, data?: Record<string, unknown>): void {
    this.room.emit(this.id, kind, data);
  }
}

class RoomHost implements SyncHost {
  constructor(
    private readonly id: PeerId,
    private readonly room: SimRoom<Frame>,
    private readonly meter: Meter,
    private readonly awareness: SimAwareness | null,
  ) {}
  publish(m: SignalingMsg): void {
    this.room.publish(this.id, m);
  }
  signalingUp(): boolean {
    return true;
  }
  openLink(peer: number, initiator: boolean): void {
    this.room.openLink(this.id, peer, initiator);
  }
  remoteSignal(peer: number, sig: LinkSignal): void {
    this.room.remoteSignal(this.id, peer, sig);
  }
  send(peer: number, frame: Frame, bytes: number, cls: TrafficClass): void {
    this.meter.sent(this.id, cls, bytes);
    this.room.send(this.id, peer, frame, bytes);
  }
  closeLink(peer: number): void {
    this.room.closeLink(this.id, peer);
  }
  onAwareness(_doc: string, update: Uint8Array): void {
    this.awareness?.apply(update);
  }
  docChanged(): void {
    this.meter.changed(this.id);
  }
  event(e: SyncEvent): void {
    if (e.type === 'link-up' || e.type === 'link-down') this.room.emit(this.id, e.type, { peer: e.peer });
  }
}

/** A SyncPeer as a room peer. */
export class SimSyncPeer implements RoomPeer<Frame> {
  readonly sync: SyncPeer;

  constructor(
    readonly id: PeerId,
    room: SimRoom<Frame>,
    readonly doc: Y.Doc,
    readonly awareness: SimAwareness | null,
    private readonly meter: Meter,
    options: SyncOptions,
    shared: SharedStats,
    codec?: SyncCodec,
  ) {
    this.sync = new SyncPeer(new RoomContext(id, room.rng, room), new RoomHost(id, room, meter, awareness), options, shared, codec);
    this.sync.openDoc('text', doc);
  }
  start(): void {
    this.sync.start();
  }
  stop(graceful: boolean): void {
    this.sync.stop(graceful);
  }
  onTimer(tag: number, data: unknown): void {
    this.sync.onTimer(tag, data);
  }
  onSignaling(m: RoomSignal): void {
    if (m.type === 'hello' || m.type === 'signal' || m.type === 'bye') this.sync.onSignaling(m);
  }
  heedsOffersTo(to: PeerId): boolean {
    return this.sync.view.heedsOffersTo(to);
  }
  onLocalSignal(peer: PeerId, sig: LinkSignal): void {
    this.sync.onLocalSignal(peer, sig);
  }
  onLinkOpen(peer: PeerId): void {
    this.sync.onLinkOpen(peer);
  }
  onLinkClosed(peer: PeerId, reason: string): void {
    this.sync.onLinkClosed(peer, reason);
  }
  onMessage(from: PeerId, f: Frame, bytes: number): void {
    const cls = trafficClass(f);
    this.meter.received(this.id, bytes, cls === 'updates' || cls === 'antiEntropy');
    this.sync.onFrame(from, f, bytes);
  }
  localUpdate(update: Uint8Array): void {
    this.sync.localUpdate('text', update);
  }
  localAwareness(update: Uint8Array): void {
    this.sync.localAwareness('text', update);
  }
}

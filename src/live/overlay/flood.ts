/**
 * Flooding with duplicate suppression, in the per-peer sans-IO form: the simplest dissemination core,
 * kept as a baseline to compare the gossip cores against (every link carries every message once per
 * direction). Message ids are (origin, seq); the seen-set is bounded (oldest forgotten first).
 *
 * wire: varUint origin | varUint seq | varUint8Array payload
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { PeerContext } from '../../core/index.js';
import type { GossipCore, GossipFactory } from './realtime.js';

export interface FloodMsg {
  origin: number;
  seq: number;
  payload: Uint8Array;
}

const SEEN_MAX = 20_000;

export class Flood implements GossipCore<FloodMsg> {
  private readonly neighbors = new Set<number>();
  private readonly seen = new Set<string>();
  private seq = 0;

  constructor(
    private readonly ctx: PeerContext<FloodMsg>,
    private readonly onDeliver: (payload: Uint8Array) => void,
  ) {}

  neighborUp(peer: number): void {
    this.neighbors.add(peer);
  }

  neighborDown(peer: number): void {
    this.neighbors.delete(peer);
  }

  private remember(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }

  broadcast(payload: Uint8Array): void {
    const msg: FloodMsg = { origin: this.ctx.id, seq: this.seq++, payload };
    this.remember(`${msg.origin}:${msg.seq}`);
    for (const n of this.neighbors) this.ctx.send(n, msg, payload.length + 12);
  }

  onMessage(from: number, msg: FloodMsg): void {
    if (!this.remember(`${msg.origin}:${msg.seq}`)) return;
    this.onDeliver(msg.payload);
    for (const n of this.neighbors) if (n !== from) this.ctx.send(n, msg, msg.payload.length + 12);
  }

  onTimer(): void {}
}

export const floodCodec = {
  encode(m: FloodMsg): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, m.origin);
    encoding.writeVarUint(e, m.seq);
    encoding.writeVarUint8Array(e, m.payload);
    return encoding.toUint8Array(e);
  },
  decode(bytes: Uint8Array): FloodMsg {
    const d = decoding.createDecoder(bytes);
    const origin = decoding.readVarUint(d);
    const seq = decoding.readVarUint(d);
    const len = decoding.peekVarUint(d);
    if (len > bytes.length) throw new Error('flood: payload length past the end');
    const payload = decoding.readVarUint8Array(d);
    if (decoding.hasContent(d)) throw new Error('flood: trailing bytes');
    return { origin, seq, payload };
  },
};

export const floodFactory: GossipFactory<FloodMsg> = {
  name: 'flood',
  codec: floodCodec,
  create: (ctx, onDeliver) => new Flood(ctx, onDeliver),
};

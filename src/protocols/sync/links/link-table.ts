/**
 * A peer's links, open and opening: how each was found (bootstrap / DHT / shuffle), how its negotiation
 * travels (through the signaling server, or relayed through the overlay along a path), liveness times,
 * rate buckets, and traffic counters.
 */
import type { LinkKind } from '../wire/frames.js';
import { TokenBucket } from './rate.js';

export type Channel = { via: 'signaling' } | { via: 'overlay'; path: number[] | null };

export interface LinkState {
  peer: number;
  open: boolean;
  initiator: boolean;
  kind: LinkKind;
  /** Where this negotiation's signals go. */
  channel: Channel;
  /** The negotiation's nonce ('' until the offer exists). */
  nonce: string;
  startedAt: number;
  openedAt: number;
  lastHeard: number;
  /** When a chunk of a frame still being reassembled last arrived (a large sync reply on its way). */
  lastChunk: number;
  lastSent: number;
  relay: TokenBucket;
  sync: TokenBucket;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
}

export interface BucketRates {
  relayRate: number;
  relayBurst: number;
  syncRate: number;
  syncBurst: number;
}

export class LinkTable {
  private readonly links = new Map<number, LinkState>();
  private openCount = 0;

  get size(): number {
    return this.links.size;
  }

  get open(): number {
    return this.openCount;
  }

  get opening(): number {
    return this.links.size - this.openCount;
  }

  get(peer: number): LinkState | undefined {
    return this.links.get(peer);
  }

  has(peer: number): boolean {
    return this.links.has(peer);
  }

  isOpen(peer: number): boolean {
    return this.links.get(peer)?.open === true;
  }

  add(peer: number, initiator: boolean, kind: LinkKind, channel: Channel, now: number, rates: BucketRates): LinkState {
    const l: LinkState = {
      peer,
      open: false,
      initiator,
      kind,
      channel,
      nonce: '',
      startedAt: now,
      openedAt: 0,
      lastHeard: now,
      lastChunk: -Infinity,
      lastSent: now,
      relay: new TokenBucket(rates.relayRate, rates.relayBurst, now),
      sync: new TokenBucket(rates.syncRate, rates.syncBurst, now),
      bytesIn: 0,
      bytesOut: 0,
      framesIn: 0,
      framesOut: 0,
    };
    this.delete(peer);
    this.links.set(peer, l);
    return l;
  }

  markOpen(l: LinkState, now: number): void {
    if (l.open) return;
    l.open = true;
    l.openedAt = l.lastHeard = l.lastSent = now;
    this.openCount++;
  }

  delete(peer: number): LinkState | undefined {
    const l = this.links.get(peer);
    if (!l) return undefined;
    this.links.delete(peer);
    if (l.open) this.openCount--;
    return l;
  }

  values(): IterableIterator<LinkState> {
    return this.links.values();
  }

  /** Open links, in the order they were made. */
  openLinks(): LinkState[] {
    const out: LinkState[] = [];
    for (const l of this.links.values()) if (l.open) out.push(l);
    return out;
  }

  /** Peers of the open links. */
  neighbours(): number[] {
    const out: number[] = [];
    for (const l of this.links.values()) if (l.open) out.push(l.peer);
    return out;
  }
}

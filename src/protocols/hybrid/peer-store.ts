/**
 * The peers a DHT node stores for info-hashes (and piece-group keys) it is close to: who announced,
 * and until when. BEP 5 lets announced peers lapse after about 30 minutes unless re-announced.
 * Announcers are untrusted, so both the keys and the peers per key are bounded; when a key is full
 * the entry that expires first makes room (a fresh announce is worth more than one about to lapse).
 */
import type { PeerId, Rng } from '../../core/index.js';
import { toHex, type NodeId } from '../kademlia/index.js';

export class PeerStore {
  private readonly map = new Map<string, Map<PeerId, number>>();

  constructor(
    /** How long an announce is kept (ms). */
    readonly ttlMs: number,
    readonly maxKeys = 4096,
    readonly maxPeersPerKey = 512,
  ) {}

  get keys(): number {
    return this.map.size;
  }

  /** Records `peer` under `key` until now + ttl; false if the store is full of other keys. */
  add(key: NodeId, peer: PeerId, now: number): boolean {
    const h = toHex(key);
    let peers = this.map.get(h);
    if (peers === undefined) {
      if (this.map.size >= this.maxKeys) {
        this.expire(now);
        if (this.map.size >= this.maxKeys) return false;
      }
      peers = new Map();
      this.map.set(h, peers);
    }
    if (!peers.has(peer) && peers.size >= this.maxPeersPerKey) {
      let victim = -1, soonest = Infinity;
      for (const [p, at] of peers)
        if (at < soonest) {
          soonest = at;
          victim = p;
        }
      peers.delete(victim);
    }
    // re-insert so iteration order is the order of the latest announces
    peers.delete(peer);
    peers.set(peer, now + this.ttlMs);
    return true;
  }

  /**
   * Up to `max` live peers under `key` (expired ones are dropped on the way). With more than `max`, a
   * uniform sample drawn with `rng` (as libtorrent does): handing every asker the same most recent
   * announces would make those peers hubs and leave the swarm's graph lopsided.
   */
  get(key: NodeId, now: number, max: number, rng?: Rng): PeerId[] {
    const h = toHex(key);
    const peers = this.map.get(h);
    if (peers === undefined) return [];
    const live: PeerId[] = [];
    for (const [p, at] of peers) {
      if (at <= now) peers.delete(p);
      else live.push(p);
    }
    if (peers.size === 0) this.map.delete(h);
    if (live.length <= max) return live;
    if (rng === undefined) return live.slice(live.length - max);
    return rng.sampleInPlace(live, max);
  }

  /** Drops lapsed announces and empty keys; returns how many announces lapsed. */
  expire(now: number): number {
    let n = 0;
    for (const [h, peers] of this.map) {
      for (const [p, at] of peers)
        if (at <= now) {
          peers.delete(p);
          n++;
        }
      if (peers.size === 0) this.map.delete(h);
    }
    return n;
  }

  /** Live announces in the store. */
  size(now: number): number {
    let n = 0;
    for (const peers of this.map.values()) for (const at of peers.values()) if (at > now) n++;
    return n;
  }
}

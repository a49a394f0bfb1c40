/**
 * The tracker: one list of the peers that announced and are online. An announce registers the peer
 * and returns up to `numWant` others drawn at random (BEP 3's answer, without the HTTP round trip: the
 * list is omniscient and answers at once).
 */
import type { PeerId, Rng } from '../../../core/index.js';

export class Tracker {
  /** Peers that announced and are online, in no particular order (removal swaps the last in). */
  private readonly list: PeerId[] = [];
  private readonly index = new Map<PeerId, number>();

  get size(): number {
    return this.list.length;
  }

  /** Registers `peer` (if new) and returns up to `want` other peers, uniformly at random. */
  announce(peer: PeerId, want: number, rng: Rng): PeerId[] {
    const list = this.list;
    const picked: PeerId[] = [];
    if (list.length <= want + 1) {
      for (const q of list) if (q !== peer) picked.push(q);
    } else {
      const seen = new Set<PeerId>();
      let tries = 0;
      while (picked.length < want && tries < want * 4) {
        tries++;
        const q = list[rng.int(list.length)]!;
        if (q === peer || seen.has(q)) continue;
        seen.add(q);
        picked.push(q);
      }
    }
    if (!this.index.has(peer)) {
      this.index.set(peer, list.length);
      list.push(peer);
    }
    return picked;
  }

  /** A peer went offline: it is no longer handed out. */
  remove(peer: PeerId): void {
    const i = this.index.get(peer);
    if (i === undefined) return;
    const last = this.list.pop() as PeerId;
    if (last !== peer) {
      this.list[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(peer);
  }
}

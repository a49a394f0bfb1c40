/**
 * The population view the simulator has and no peer has: every id, sorted. Two uses:
 *
 * - `closestTo`: the true k closest online peers to a target (the oracle a lookup's result is
 *   checked against), found by descending the sorted ids bit by bit, nearer half first, as a trie
 *   walk would: O(k + idBits log N), no scan of all peers.
 * - `prefill`: the documented shortcut for building 10^5 routing tables. Joining 10^5 peers one by
 *   one through lookups costs tens of millions of messages before the experiment starts; instead each
 *   table is filled with what a join followed by bucket refreshes converges to: for every branch of
 *   the tree off our own path (the ids sharing exactly i leading bits with ours), up to k peers drawn
 *   uniformly from that range, per sub-range that accelerated splitting (b > 1) would separate. The
 *   contacts go through `RoutingTable.add`, so splitting follows the real rule. Replacement caches
 *   start empty and every entry is live at time 0. A test checks the result against tables built by
 *   real joins at small N (test/protocols/kademlia/prefill.test.ts).
 */
import type { PeerId, Rng } from '../../core/index.js';
import { bitAt, compareDistance, type NodeId } from './id.js';
import type { Contact, RoutingTable } from './routing-table/index.js';

export class SortedIds {
  /** Peers ordered by id. */
  readonly order: Int32Array;
  /** The first 32 bits of each id, in that order (the splits of the top of the tree read only these). */
  private readonly top: Uint32Array;
  /** No two peers share an id. */
  readonly unique: boolean;

  constructor(
    readonly ids: readonly NodeId[],
    readonly idBits: number,
  ) {
    const n = ids.length;
    // sort on the first 48 bits (exact in a double), the whole id only on a tie
    const key = new Float64Array(n);
    const top = new Uint32Array(n);
    for (let p = 0; p < n; p++) {
      const id = ids[p]!;
      let k = 0;
      for (let i = 0; i < 6; i++) k = k * 256 + (i < id.length ? id[i]! : 0);
      key[p] = k;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => key[a]! - key[b]! || compareBytes(ids[a]!, ids[b]!));
    this.order = Int32Array.from(order);
    let unique = true;
    for (let i = 0; i < n; i++) {
      const p = order[i]!;
      top[i] = Math.floor(key[p]! / 65536);
      if (i > 0 && key[p] === key[order[i - 1]!] && compareBytes(ids[p]!, ids[order[i - 1]!]!) === 0) unique = false;
    }
    this.top = top;
    this.unique = unique;
  }

  /** First index in [lo, hi) whose id has bit `bit` set (ids in [lo, hi) share the bits before it). */
  private splitAt(lo: number, hi: number, bit: number): number {
    if (bit < 32) {
      const top = this.top;
      const shift = 31 - bit;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (((top[mid]! >>> shift) & 1) === 1) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    }
    const ids = this.ids;
    const order = this.order;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bitAt(ids[order[mid]!]!, bit) === 1) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * The `count` peers closest to `target` for which `accept(peer)` holds (e.g. online, not the
   * asker), closest first.
   */
  closestTo(target: NodeId, count: number, accept: (peer: PeerId) => boolean): PeerId[] {
    const out: PeerId[] = [];
    const walk = (lo: number, hi: number, depth: number): void => {
      if (out.length >= count || lo >= hi) return;
      if (hi - lo <= 8 || depth >= this.idBits) {
        const xs: PeerId[] = [];
        for (let i = lo; i < hi; i++) {
          const p = this.order[i]!;
          if (accept(p)) xs.push(p);
        }
        xs.sort((a, b) => compareDistance(this.ids[a]!, this.ids[b]!, target));
        for (const p of xs) {
          if (out.length >= count) break;
          out.push(p);
        }
        return;
      }
      const mid = this.splitAt(lo, hi, depth);
      if (bitAt(target, depth) === 1) {
        walk(mid, hi, depth + 1);
        walk(lo, mid, depth + 1);
      } else {
        walk(lo, mid, depth + 1);
        walk(mid, hi, depth + 1);
      }
    };
    walk(0, this.order.length, 0);
    return out;
  }

  /**
   * Fills `table` (owned by `self`) as joins and refreshes would, from the peers for which
   * `accept(peer)` holds. `contacts[p]` is the shared Contact of peer p.
   *
   * The picks are what `RoutingTable.add` would get, one by one, in this order; with b = 1 and
   * distinct ids the table takes them in one step (`fillSpine`, the same table those adds build).
   */
  prefill(table: RoutingTable, self: PeerId, contacts: readonly Contact[], rng: Rng, accept: (peer: PeerId) => boolean): void {
    const own = this.ids[self]!;
    const k = table.k;
    const b = table.b;
    const picks = scratchPicks;
    const cpls = scratchCpls;
    let n = 0;
    const take = (p: PeerId, cpl: number): void => {
      picks[n] = p;
      cpls[n] = cpl;
      n++;
    };
    const chosen: number[] = [];
    const avail: number[] = [];
    const pick = (lo: number, hi: number, cpl: number): void => {
      const span = hi - lo;
      if (span > 4 * k) {
        // a wide range: k uniform draws without replacement, by rejection (no scan of the range)
        chosen.length = 0;
        for (let tries = 0; chosen.length < k && tries < 16 * k; tries++) {
          const p = this.order[lo + rng.int(span)]!;
          if (p !== self && !chosen.includes(p) && accept(p)) chosen.push(p);
        }
        if (chosen.length === k) {
          for (const p of chosen) take(p, cpl);
          return;
        }
      }
      avail.length = 0;
      for (let i = lo; i < hi; i++) {
        const p = this.order[i]!;
        if (p !== self && accept(p)) avail.push(p);
      }
      if (avail.length > k) rng.sampleInPlace(avail, k); // k uniform picks without replacement
      for (const p of avail) take(p, cpl);
    };
    // a sibling range at depth `depth` may be split further while depth % b != 0
    const fillRange = (lo: number, hi: number, depth: number, cpl: number): void => {
      if (hi - lo <= k || depth % b === 0 || depth >= this.idBits) return pick(lo, hi, cpl);
      const mid = this.splitAt(lo, hi, depth);
      fillRange(lo, mid, depth + 1, cpl);
      fillRange(mid, hi, depth + 1, cpl);
    };
    let lo = 0;
    let hi = this.order.length;
    for (let depth = 0; depth < this.idBits && hi - lo > 1; depth++) {
      const mid = this.splitAt(lo, hi, depth);
      if (bitAt(own, depth) === 1) {
        fillRange(lo, mid, depth + 1, depth);
        lo = mid;
      } else {
        fillRange(mid, hi, depth + 1, depth);
        hi = mid;
      }
    }
    if (!(this.unique && table.fillSpine(contacts, picks, cpls, n, 0))) for (let i = 0; i < n; i++) table.add(contacts[picks[i]!]!);
    table.compact();
  }
}

const scratchPicks: PeerId[] = [];
const scratchCpls: number[] = [];

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Per-origin trees (Plumtree's `perOriginTrees`): where each origin's messages come from, so a peer keeps
 * a parent in every tree it is in, with no message of its own on the wire (GRAFT and PRUNE only).
 *
 * - **The parent** of an origin's tree is the neighbour that delivered that origin's newest message first.
 *   When its link goes (the overlay dropped it, or it failed), or it prunes us, the peer GRAFTs another
 *   neighbour at once, naming the message after the newest it holds: in a per-origin tree a GRAFT asks for
 *   that message and the origin's later ones, so the neighbour sends those it holds (what was in flight on
 *   the lost link) and pushes the origin's messages from then on. Preferred: a neighbour that announced
 *   or duplicated one of the origin's messages at no more hops than ours (so it is not below us in the
 *   tree); else a random one we do not push to. A link the shuffle drops so costs the subtree below it no
 *   IHAVE round trip and no wait for anti-entropy.
 * - **A PRUNE in flight** is not a parent: a neighbour we pruned may still deliver a message first (its
 *   push crossed our PRUNE). Taken as the parent, the next duplicate would prune the real one, leaving the
 *   peer with no parent at all; so the real one's duplicate is kept instead. A neighbour that keeps
 *   pushing after a PRUNE (the PRUNE was lost) is pruned again.
 * - **A new link is lazy** when the peer is already fed: it sends the new neighbour a PRUNE of every tree
 *   (trees formed earlier keep their parents; the new link carries IHAVEs and is a way to adopt), so a
 *   shuffle link does not cost a duplicate of every origin's next message each way. A peer that is in no
 *   tree yet (a joiner) sends none, and its new neighbours push it everything.
 */
import { GRAFT, PRUNE, type MsgId, type PlumtreeMsg } from './codec.js';
import type { PeerId } from '../../core/index.js';

/** Origins whose feeds a peer keeps (as many as it keeps trees of). */
export const MAX_FEEDS = 4096;
/** Messages whose first copy came from a pruned neighbour, remembered per origin until their duplicate. */
const MAX_RACY = 16;

interface Feed {
  session: number;
  /** The neighbour that delivered the newest message first (-1: none). */
  parent: PeerId;
  /** The newest message delivered here, and its hops from the origin. */
  seq: number;
  round: number;
  /** Another neighbour that holds message `altSeq` at `altRound` hops (-1: none known). */
  alt: PeerId;
  altSeq: number;
  altRound: number;
  /** Neighbours we sent a PRUNE of this tree (value: first copies they delivered since). */
  pruned: Map<PeerId, number>;
  /** Messages whose first copy came from a pruned neighbour: their next duplicate is kept. */
  racy: Set<number>;
  /** A neighbour we GRAFTed, and the newest message we held then: its copies up to there are expected. */
  catchUp: PeerId;
  catchUpSeq: number;
}

export interface FeedHost {
  readonly links: ReadonlySet<PeerId>;
  eagerOf(origin: number): Set<PeerId>;
  makeEager(origin: number, p: PeerId): void;
  send(to: PeerId, msg: PlumtreeMsg): void;
  pick(n: number): number;
}

export class Feeds {
  private readonly feeds = new Map<number, Feed>();

  constructor(private readonly host: FeedHost) {}

  /**
   * The first copy of `id` came from `from` (not a repair), `round` hops from its origin here. Returns
   * the newest of the origin's messages delivered before (-1: none known), so the caller sees a gap.
   */
  delivered(id: MsgId, from: PeerId, round: number): number {
    let f = this.feeds.get(id.origin);
    const before = f !== undefined && f.session === id.session ? f.seq : -1;
    if (f === undefined || f.session !== id.session) {
      f = { session: id.session, parent: -1, seq: id.seq, round, alt: -1, altSeq: -1, altRound: 0, pruned: new Map(), racy: new Set(), catchUp: -1, catchUpSeq: -1 };
      this.feeds.delete(id.origin);
      this.feeds.set(id.origin, f);
      if (this.feeds.size > MAX_FEEDS) this.feeds.delete(this.feeds.keys().next().value as number);
    }
    if (id.seq >= f.seq) {
      f.seq = id.seq;
      f.round = round;
    }
    // the origin itself is never a push that crossed our PRUNE: it pushes again only when its own tree lost
    // a branch (Plumtree.neighborDown), and no parent is closer
    if (from === id.origin) f.pruned.delete(from);
    const n = f.pruned.get(from);
    if (n !== undefined) {
      // its push crossed our PRUNE: it will stop; the real parent's duplicate is kept
      if (f.racy.size >= MAX_RACY) f.racy.clear();
      f.racy.add(id.seq);
      if (n >= 1) {
        // still pushing after a PRUNE: that PRUNE was lost
        f.pruned.set(from, 0);
        this.host.send(from, { type: PRUNE, origin: id.origin });
      } else f.pruned.set(from, n + 1);
      return before;
    }
    f.parent = from;
    this.host.makeEager(id.origin, from);
    return before;
  }

  /** A duplicate of `id` from `from`: true to keep `from` as the parent instead of pruning it. */
  duplicate(id: MsgId, from: PeerId, round: number): boolean {
    const f = this.feeds.get(id.origin);
    if (f === undefined || f.session !== id.session) return false;
    // a GRAFT is answered with the message and the origin's later ones: those we held already are no sign
    // of a redundant link
    if (from === f.catchUp && id.seq <= f.catchUpSeq) return true;
    if (f.racy.delete(id.seq) && !f.pruned.has(from)) {
      f.parent = from;
      this.host.makeEager(id.origin, from);
      return true;
    }
    this.heardAlso(f, id, from, round);
    return false;
  }

  /** `from` announced `id` (IHAVE), which it holds `round` hops from the origin. */
  announced(id: MsgId, from: PeerId, round: number): void {
    const f = this.feeds.get(id.origin);
    if (f !== undefined && f.session === id.session) this.heardAlso(f, id, from, round);
  }

  /** We PRUNEd `p` from `origin`'s tree. */
  pruned(origin: number, p: PeerId): void {
    const f = this.feeds.get(origin);
    if (f !== undefined && !f.pruned.has(p)) f.pruned.set(p, 0);
  }

  /** The parent in `origin`'s tree (-1: none). */
  parentOf(origin: number): PeerId {
    return this.feeds.get(origin)?.parent ?? -1;
  }

  /** `from` PRUNEd us from `origin`'s tree (undefined: from every tree): if it was our parent there, adopt. */
  prunedBy(from: PeerId, origin: number | undefined): void {
    if (origin === undefined) {
      for (const [o, f] of this.feeds) if (f.parent === from) this.adopt(o, f, from);
      return;
    }
    const f = this.feeds.get(origin);
    if (f !== undefined && f.parent === from) this.adopt(origin, f, from);
  }

  /** We GRAFTed `p` into `origin`'s tree: it pushes to us again (and first what we asked for and later). */
  grafted(origin: number, p: PeerId): void {
    const f = this.feeds.get(origin);
    if (f === undefined) return;
    f.pruned.delete(p);
    f.catchUp = p;
    f.catchUpSeq = f.seq;
  }

  /** A new link: lazy in every tree, if this peer is fed already (see the header). */
  linkUp(peer: PeerId): void {
    let fed = false;
    for (const f of this.feeds.values())
      if (f.parent >= 0 && this.host.links.has(f.parent) && f.parent !== peer) {
        fed = true;
        break;
      }
    if (!fed) return;
    this.host.send(peer, { type: PRUNE });
    for (const f of this.feeds.values()) f.pruned.set(peer, 0);
  }

  /** A link is gone: every tree it fed us in adopts us through another neighbour. */
  linkDown(peer: PeerId): void {
    for (const [origin, f] of this.feeds) {
      f.pruned.delete(peer);
      if (f.alt === peer) f.alt = -1;
      if (f.parent === peer) this.adopt(origin, f, peer);
    }
  }

  private heardAlso(f: Feed, id: MsgId, from: PeerId, round: number): void {
    if (from === f.parent) return;
    if (f.alt < 0 || id.seq > f.altSeq || (id.seq === f.altSeq && round < f.altRound)) {
      f.alt = from;
      f.altSeq = id.seq;
      f.altRound = round;
    }
  }

  /** Our parent in `origin`'s tree, `lost`, no longer feeds us: GRAFT another neighbour (see the header). */
  private adopt(origin: number, f: Feed, lost: PeerId): void {
    const links = this.host.links;
    const children = this.host.eagerOf(origin);
    let q = -1;
    if (f.alt >= 0 && f.alt !== lost && links.has(f.alt) && !children.has(f.alt) && f.altRound <= f.round) q = f.alt;
    else {
      const others: PeerId[] = [];
      for (const l of links) if (l !== lost && !children.has(l)) others.push(l);
      if (others.length > 0) q = others[this.host.pick(others.length)]!;
    }
    f.parent = q;
    f.alt = -1;
    if (q < 0) return;
    f.pruned.delete(q);
    f.catchUp = -1;
    this.host.makeEager(origin, q);
    // the message after the newest we hold: from now on, and that one if it is there already
    this.host.send(q, { type: GRAFT, id: { origin, session: f.session, seq: f.seq + 1 }, round: f.round });
  }
}

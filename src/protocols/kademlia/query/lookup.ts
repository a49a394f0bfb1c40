/**
 * One iterative lookup, sans-IO: it says whom to ask next and is told what they answered. The owner
 * (KademliaNode) does the sending, the timeouts and the routing-table updates.
 *
 * Rules (paper section 2.3, with the usual "loose" parallelism): keep a shortlist sorted by XOR
 * distance to the target; keep up to `alpha` requests in flight to the closest contacts not yet asked;
 * the lookup ends when the k closest contacts that did not fail have all answered (the k-closest
 * termination rule), or, for a value lookup, as soon as one of them returns the value.
 *
 * Disjoint paths (S/Kademlia, `paths` = d > 1): the initial contacts are dealt round-robin into d
 * shortlists that never share a peer (a peer claimed by one path is ignored by the others), each path
 * runs the rules above on its own, and the lookup ends when every path has ended (or any path found
 * the value). The result is the k closest that answered, over all paths.
 *
 * Hop accounting: an initial contact is at hop 1, a contact first learned from a hop-h reply is at
 * hop h+1. `hops` is the hop of the reply that carried the value (value lookups) or of the closest
 * peer found (node lookups); `roundTrips` is the deepest hop that answered, i.e. the longest chain of
 * dependent round trips the lookup waited for.
 */
import type { PeerId } from '../../../core/index.js';
import { compareDistance, type NodeId } from '../id.js';
import type { Contact } from '../routing-table/index.js';

const FRESH = 0;
const IN_FLIGHT = 1;
const ANSWERED = 2;
const FAILED = 3;

interface Entry {
  contact: Contact;
  state: number;
  hop: number;
  /** The peer whose reply named it (-1: one of the initial contacts). */
  via: PeerId;
}

class Path {
  entries: Entry[] = [];
  inFlight = 0;
  done = false;
  constructor(readonly index: number) {}
}

export interface LookupOptions {
  k: number;
  alpha: number;
  /** Disjoint paths (d). Default 1. */
  paths?: number;
  /** Stop at the first VALUE reply. */
  findValue: boolean;
}

export interface QueryToSend {
  contact: Contact;
  path: number;
  hop: number;
}

export class Lookup {
  readonly k: number;
  readonly alpha: number;
  readonly findValue: boolean;
  private readonly paths: Path[];
  /** Every peer the lookup has seen, and the path that claimed it. */
  private readonly claimed = new Map<PeerId, Entry & { path: number }>();
  done = false;
  /** The value, once a peer returned it. */
  value: Uint8Array | null = null;
  valueFrom: Contact | null = null;
  valueHop = 0;
  /** Requests sent, and replies received. */
  sent = 0;
  answered = 0;
  failed = 0;
  maxAnsweredHop = 0;

  constructor(
    readonly target: NodeId,
    initial: readonly Contact[],
    opts: LookupOptions,
    private readonly self: PeerId = -1,
  ) {
    this.k = opts.k;
    this.alpha = opts.alpha;
    this.findValue = opts.findValue;
    const d = Math.max(1, Math.min(opts.paths ?? 1, Math.max(1, initial.length)));
    this.paths = [];
    for (let i = 0; i < d; i++) this.paths.push(new Path(i));
    let i = 0;
    for (const c of initial) {
      if (c.peer === self || this.claimed.has(c.peer)) continue;
      this.insert(this.paths[i % d]!, c, 1, -1);
      i++;
    }
    if (i === 0) this.done = true;
  }

  private insert(path: Path, contact: Contact, hop: number, via: PeerId): void {
    const e = { contact, state: FRESH, hop, via, path: path.index };
    this.claimed.set(contact.peer, e);
    const es = path.entries;
    let j = es.length;
    while (j > 0 && compareDistance(es[j - 1]!.contact.id, contact.id, this.target) > 0) j--;
    es.splice(j, 0, e);
    // entries far beyond the k closest are never asked: forget them (but keep them claimed)
    const cap = this.k * 4;
    if (es.length > cap) {
      for (let x = es.length - 1; x >= cap; x--) if (es[x]!.state !== IN_FLIGHT) es.splice(x, 1);
    }
  }

  /** The requests to send now (marks them in flight). Empty when nothing more can be sent yet. */
  next(): QueryToSend[] {
    const out: QueryToSend[] = [];
    if (this.done) return out;
    let allDone = true;
    for (const p of this.paths) {
      if (!p.done) this.advance(p, out);
      if (!p.done) allDone = false;
    }
    if (allDone) this.done = true;
    return out;
  }

  private advance(p: Path, out: QueryToSend[]): void {
    let considered = 0;
    let pendingNear = 0;
    for (const e of p.entries) {
      if (considered >= this.k) break;
      if (e.state === FAILED) continue;
      considered++;
      if (e.state === FRESH) {
        if (p.inFlight < this.alpha) {
          e.state = IN_FLIGHT;
          p.inFlight++;
          this.sent++;
          out.push({ contact: e.contact, path: p.index, hop: e.hop });
        }
        pendingNear++;
      } else if (e.state === IN_FLIGHT) pendingNear++;
    }
    if (pendingNear === 0) p.done = true;
  }

  /** `peer` answered with closer contacts (NODES). Returns how many were new to the lookup. */
  onNodes(peer: PeerId, contacts: readonly Contact[]): number {
    const e = this.claimed.get(peer);
    if (!e || e.state !== IN_FLIGHT) return 0;
    this.answer(e);
    const path = this.paths[e.path]!;
    let added = 0;
    for (const c of contacts) {
      if (c.peer === this.self || this.claimed.has(c.peer)) continue;
      this.insert(path, c, e.hop + 1, peer);
      added++;
    }
    return added;
  }

  /** `peer` returned the value. */
  onValue(peer: PeerId, value: Uint8Array): void {
    const e = this.claimed.get(peer);
    if (!e || e.state !== IN_FLIGHT) return;
    this.answer(e);
    if (this.value === null) {
      this.value = value;
      this.valueFrom = e.contact;
      this.valueHop = e.hop;
    }
    if (this.findValue) this.done = true;
  }

  /** `peer` did not answer in time (or answered nonsense). */
  onFailure(peer: PeerId): void {
    const e = this.claimed.get(peer);
    if (!e || e.state !== IN_FLIGHT) return;
    e.state = FAILED;
    this.paths[e.path]!.inFlight--;
    this.failed++;
  }

  private answer(e: Entry & { path: number }): void {
    e.state = ANSWERED;
    this.paths[e.path]!.inFlight--;
    this.answered++;
    if (e.hop > this.maxAnsweredHop) this.maxAnsweredHop = e.hop;
  }

  /** Is a request to `peer` still awaited? */
  awaiting(peer: PeerId): boolean {
    return this.claimed.get(peer)?.state === IN_FLIGHT;
  }

  /** The hop of a peer in this lookup (0 if unknown). */
  hopOf(peer: PeerId): number {
    return this.claimed.get(peer)?.hop ?? 0;
  }

  /**
   * The chain of peers that led to `peer`: the initial contact first, each next one named in the
   * reply of the one before, `peer` last (empty if the lookup never saw it).
   */
  chainTo(peer: PeerId): PeerId[] {
    const out: PeerId[] = [];
    // hops strictly decrease along `via`, so this ends
    for (let e = this.claimed.get(peer); e !== undefined; e = e.via < 0 ? undefined : this.claimed.get(e.via)) out.push(e.contact.peer);
    return out.reverse();
  }

  /** The k closest peers that answered, closest first, over all paths. */
  closest(): Contact[] {
    const all: Entry[] = [];
    for (const p of this.paths) for (const e of p.entries) if (e.state === ANSWERED) all.push(e);
    all.sort((a, b) => compareDistance(a.contact.id, b.contact.id, this.target));
    if (all.length > this.k) all.length = this.k;
    return all.map((e) => e.contact);
  }

  /** Hops to the answer: the value's hop, or the hop of the closest peer that answered. */
  get hops(): number {
    if (this.value !== null) return this.valueHop;
    const c = this.closest()[0];
    return c ? this.hopOf(c.peer) : 0;
  }

  /** Requests sent plus replies received. */
  get messages(): number {
    return this.sent + this.answered;
  }

  get numPaths(): number {
    return this.paths.length;
  }
}

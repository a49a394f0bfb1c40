/**
 * The partial view: which links a peer keeps, and how it finds new ones.
 *
 * - A peer with no link says `hello` on the signaling server (repeating with backoff while alone); a
 *   few members with room consider answering (each with a chance of about 4 over the room's size),
 *   wait a short random time (shorter the fewer links they have), and offer a link unless they saw
 *   `bootstrapLinks` others offer first. So a join costs the server a handful of messages, not one per
 *   member. That first link is the only thing the server is needed for.
 * - Then the peer joins the DHT through it (a lookup of its own id), announces itself under the room's
 *   key and gets members back, and opens links to them through the overlay until it has `degree`.
 * - It accepts links up to `maxLinks`. Every `shuffleMs` a peer with spare room opens one link to a
 *   random member, and one with more than `degree` + 1 drops its oldest, so the overlay keeps mixing.
 * - A link lost is replaced from known members (looked up again when none are left), through the
 *   overlay. A single lost link is taken for a departed peer.
 * - The overlay cannot heal a split of itself: after a partition each side's DHT knows only its own side.
 *   So a neighbour lost to a timeout or a failed transport is looked up in the DHT through our other
 *   links; if it answers (or a member names it), it is in our piece (a link that broke under load, a
 *   transport closed before its BYE was read) and links through the overlay replace it, with no word to
 *   the server. Only one the DHT cannot find is retried through the signaling server, with backoff: a
 *   peer that is gone never answers (given up after two tries), one on the other side of a partition
 *   answers but cannot connect until the partition heals (retried for up to HEAL_MS). Retries stop as
 *   soon as an envelope from that peer reaches us through the overlay (we are one piece again). A peer
 *   that lost every link skips the lookup (it has nothing to look through) and bootstraps again.
 *   Joiners are watched the same way: every member sees a joiner's hello, and the few whose ids are
 *   closest to the joiner's should hear from it through the overlay (its self-lookup ends at them). One
 *   that has not after EXPECT_MS looks it up in the DHT, and if that does not find it, the joiner is in
 *   another piece of a split room: it is offered a link through signaling, retried like a lost neighbour.
 *   Whether a member is among the closest is asked again before that lookup, of the table as it is
 *   then: hellos heard while the room was filling were judged on tables that held few members, so many
 *   took themselves for among the closest, and each lookup crosses several relays.
 *   And a peer short of `degree` links for long says hello again, with backoff up to 5 minutes, while a
 *   split is suspected (a lookup failed to find a lost neighbour or a joiner in the last HEAL_MS, or a
 *   peer heard saying hello is neither linked nor in our DHT table: peers that start at once can take
 *   their first links in separate groups; or we cut or banned a neighbour in the last HEAL_MS: peers
 *   that met only through it, an attacker in the middle, are left in a piece of their own, whose DHT
 *   knows nobody else): it may be in a small piece of a split room, whose members all
 *   have room; any member may answer, maybe from the other piece. A whole room smaller than `degree` + 1
 *   stays quiet on the server.
 */
import type { PeerId, Rng } from '../../core/index.js';
import { cont, markStatic } from '../../sim/snapshot-graph.js';
import type { Discovery } from './discovery/discovery.js';
import type { SyncEvent, SyncHost, SyncStats } from './host.js';
import type { LinkTable } from './links/link-table.js';
import type { Negotiation } from './links/negotiation.js';
import type { ResolvedOptions } from './options.js';
import type { Relay } from './relay/relay.js';
import type { LinkKind } from './wire/frames.js';

export interface ViewIO {
  readonly self: number;
  readonly rng: Rng;
  now(): number;
  readonly host: SyncHost;
  readonly links: LinkTable;
  readonly relay: Relay;
  readonly discovery: Discovery;
  readonly negotiation: Negotiation;
  readonly stats: SyncStats;
  refused(peer: number): boolean;
  /** Schedules `answerHello(peer)` after `delayMs`. */
  scheduleAnswer(peer: number, delayMs: number): void;
  /** Closes a link on purpose (we say BYE first). */
  dropLink(peer: number, reason: string): void;
  event(e: SyncEvent): void;
  /** Which of these open links to let go when shedding one (rewiring's choice); null: the oldest. */
  pickDrop?(peers: readonly number[]): number | null;
}

/**
 * A peer to chase through signaling: a lost neighbour, or a joiner we expect to hear from (`probe`: look
 * it up in the DHT first). `margin`: a route learnt this long after `since` proves we are one piece.
 */
interface Lost {
  since: number;
  margin: number;
  next: number;
  tries: number;
  answered: boolean;
  backoff: number;
  probe: 'no' | 'due' | 'busy';
  /** Found only if it answers the lookup itself (a lost neighbour may linger in the routing table). */
  strict: boolean;
  /** A joiner we expect to hear from (onHello), not a neighbour we lost. */
  watch: boolean;
}

/** A member we may link to, and when we learnt of it. */
interface Candidate {
  at: number;
}

const MAX_CANDIDATES = 64;
/** About how many members consider answering a hello (the first offers suppress the rest). */
const ANSWERERS = 4;
const CANDIDATE_TTL_MS = 120_000;
const COOLDOWN_MS = 30_000;
const HEAL_MS = 600_000;
const HELLO_MAX_BACKOFF_MS = 30_000;
/** Tries of a lost neighbour that never answers before it is taken for gone. */
const HEAL_SILENT_TRIES = 2;
/** How long a member closest to a joiner waits to hear from it through the overlay. */
const EXPECT_MS = 30_000;
/** The longest wait between the hellos of a peer short of links. */
const STARVED_MAX_BACKOFF_MS = 300_000;

export class PartialView {
  private readonly candidates = new Map<PeerId, Candidate>();
  /** Peers not to try again until the given time (refused us, unreachable, gone). */
  private readonly cooldown = new Map<PeerId, number>();
  /** Neighbours lost to a timeout or failure, retried through signaling (see the header). */
  private readonly lost = new Map<PeerId, Lost>();
  /** Since when the peer has had fewer than `degree` open links (-1: it has enough). */
  private shortSince = -1;
  /** Offers seen on signaling per joiner (hello answers hold back when enough were made). */
  private readonly offersSeen = new Map<PeerId, number>();
  private helloAt = 0;
  private helloBackoff: number;
  private joined = false;
  private lookupBusy = false;
  private lastLookupAt = -Infinity;
  private lookupBackoff: number;
  /** Until when a split of the room is suspected (a lost neighbour or a joiner the DHT could not find, a neighbour refused). */
  private splitUntil = -Infinity;
  /** Until when a neighbour we refused (a trust cut, a ban) may have left us in a piece of our own. */
  private refusedUntil = -Infinity;
  /** Peers heard saying hello on signaling, and when (bounded): members of the room we should meet in the DHT. */
  private readonly heardHello = new Map<PeerId, number>();

  constructor(
    private readonly io: ViewIO,
    private readonly o: ResolvedOptions,
  ) {
    this.helloBackoff = o.helloMs;
    this.lookupBackoff = o.helloMs;
  }

  /** How many members we know of and may link to (for the inspector). */
  get candidateCount(): number {
    return this.candidates.size;
  }

  get isJoined(): boolean {
    return this.joined;
  }

  private cooling(peer: PeerId, now: number): boolean {
    const until = this.cooldown.get(peer);
    if (until === undefined) return false;
    if (until <= now) {
      this.cooldown.delete(peer);
      return false;
    }
    return true;
  }

  private usable(peer: PeerId, now: number): boolean {
    const io = this.io;
    return peer !== io.self && !io.links.has(peer) && !io.refused(peer) && !this.cooling(peer, now);
  }

  addCandidates(peers: readonly PeerId[]): void {
    const now = this.io.now();
    for (const p of peers) {
      if (p === this.io.self) continue;
      this.candidates.delete(p);
      this.candidates.set(p, { at: now });
      if (this.candidates.size > MAX_CANDIDATES) this.candidates.delete(this.candidates.keys().next().value as PeerId);
    }
  }

  /** Don't try `peer` again for a while. */
  coolDown(peer: PeerId, ms = COOLDOWN_MS): void {
    this.cooldown.set(peer, this.io.now() + ms);
    this.candidates.delete(peer);
  }

  /**
   * Picks up to `n` usable members we have a fresh way to (a negotiation relayed along a stale route
   * would only time out): recent candidates first, else DHT contacts.
   */
  private pick(n: number, now: number): PeerId[] {
    const out: PeerId[] = [];
    const fresh: PeerId[] = [];
    const relay = this.io.relay;
    for (const [p, c] of this.candidates) {
      if (now - c.at > CANDIDATE_TTL_MS) this.candidates.delete(p);
      else if (this.usable(p, now) && relay.fresh(p)) fresh.push(p);
    }
    this.io.rng.shuffle(fresh);
    for (const p of fresh) if (out.length < n) out.push(p);
    if (out.length < n)
      for (const p of this.io.discovery.sampleContacts(2 * n)) if (out.length < n && !out.includes(p) && this.usable(p, now) && relay.fresh(p)) out.push(p);
    return out;
  }

  // ---- housekeeping (every tickMs) ----------------------------------------------------------------

  tick(): void {
    const io = this.io;
    const now = io.now();
    const links = io.links;
    const have = links.size;
    if (have < this.o.degree) {
      if (links.open === 0 && have === 0) this.hello(now, this.o.helloMs * 8);
      else if (links.open > 0 && this.joined) {
        const picks = this.pick(this.o.degree - have, now);
        for (const p of picks) this.connect(p, 'dht');
        if (picks.length < this.o.degree - have) this.lookup(now);
      }
    }
    if (links.open >= this.o.degree) this.shortSince = -1;
    else if (this.shortSince < 0) this.shortSince = now;
    // short of links for long, whatever we tried, while something suggests a split: maybe we are in a
    // small piece of it (in a whole room that is merely small this stays quiet)
    else if (links.open > 0 && now - this.shortSince > 2 * this.o.connectTimeoutMs && this.splitSuspected(now)) this.hello(now, STARVED_MAX_BACKOFF_MS);
    this.heal(now);
  }

  /**
   * A lookup failed to find a lost neighbour or a joiner lately, or a peer we heard say hello is neither
   * linked nor in our DHT table (peers that all start at once can take their first links in separate
   * groups, which only the server can join).
   */
  private splitSuspected(now: number): boolean {
    if (now < this.splitUntil) return true;
    for (const [p, at] of this.heardHello) {
      if (now - at > HEAL_MS) this.heardHello.delete(p);
      else if (!this.io.links.isOpen(p) && !this.io.refused(p) && !this.io.discovery.knows(p)) return true;
    }
    return false;
  }

  private connect(peer: PeerId, kind: LinkKind): void {
    this.candidates.delete(peer);
    this.io.negotiation.connect(peer, kind, { via: 'overlay', path: null });
  }

  private hello(now: number, maxBackoff: number): void {
    const io = this.io;
    if (now < this.helloAt || !io.host.signalingUp()) return;
    io.stats.hellosOut++;
    io.stats.signalingOut++;
    io.host.publish({ type: 'hello', from: io.self });
    this.helloAt = now + this.helloBackoff;
    this.helloBackoff = Math.min(this.helloBackoff * 2, maxBackoff);
  }

  /**
   * Samples members again: a DHT lookup of a random id (at most once per backoff period, doubling while
   * nothing usable turns up).
   */
  private lookup(now: number): void {
    if (this.lookupBusy || now - this.lastLookupAt < this.lookupBackoff) return;
    this.lookupBusy = true;
    this.lastLookupAt = now;
    this.io.discovery.sample(cont(sampled, this));
  }

  /** A sample of members arrived (lookup). */
  sampled(members: PeerId[], hops: number): void {
    this.lookupBusy = false;
    this.addCandidates(members);
    this.io.event({ type: 'members', found: members.length, hops });
    const now = this.io.now();
    const usable = members.some((p) => this.usable(p, now));
    this.lookupBackoff = usable ? this.o.helloMs : Math.min(this.lookupBackoff * 2, 30_000);
    // short of links since we refused a neighbour, and the DHT names nobody new: our piece of the room
    // may be all the DHT knows, and only the server reaches the rest
    if (!usable && this.io.links.open > 0 && this.io.links.open < this.o.degree && now < this.refusedUntil) this.hello(now, STARVED_MAX_BACKOFF_MS);
  }

  // ---- links coming and going ---------------------------------------------------------------------

  linkUp(peer: PeerId): void {
    this.helloBackoff = this.o.helloMs;
    this.helloAt = 0;
    this.lost.delete(peer);
    this.cooldown.delete(peer);
    if (!this.joined && !this.lookupBusy) {
      // join the DHT through this first link, then announce ourselves under the room's key
      this.lookupBusy = true;
      this.io.discovery.findSelf(cont(selfFound, this));
    }
  }

  /** Our own id's lookup ended (linkUp): we announce ourselves under the room's key. */
  announceSelf(): void {
    this.io.discovery.findMembers(true, cont(joinedRoom, this));
  }

  /** We joined the DHT and announced ourselves under the room's key (linkUp): the members it named. */
  joinedRoom(members: PeerId[], hops: number): void {
    this.lookupBusy = false;
    this.joined = true;
    this.lastLookupAt = this.io.now();
    this.addCandidates(members);
    this.io.event({ type: 'members', found: members.length, hops });
    this.tick();
  }

  linkDown(peer: PeerId, reason: string, wasOpen: boolean): void {
    const now = this.io.now();
    if (!wasOpen) return;
    if (reason === 'timeout' || reason === 'failed') {
      this.coolDown(peer);
      this.lost.set(peer, {
        since: now,
        margin: this.o.deadLinkMs + this.o.tickMs,
        next: now + this.io.rng.float() * this.o.helloMs,
        tries: 0,
        answered: false,
        backoff: this.o.helloMs * 2,
        // looked up through the overlay first: a link that failed under load or a peer that restarted is
        // still in our piece of the room, and links through the overlay replace it; only one the DHT
        // cannot find (gone, or across a split) is chased through signaling
        probe: 'due',
        strict: true,
        watch: false,
      });
    } else if (reason === 'bye') this.coolDown(peer);
    else if (reason === 'cut' || reason.startsWith('violation')) {
      // we refused a neighbour: it may have been our piece's only way to the rest of the room (peers
      // that met through it know nobody else), and a piece with no link out hears no hello from the
      // rest, so nothing else would suggest the split
      this.splitUntil = Math.max(this.splitUntil, now + HEAL_MS);
      this.refusedUntil = this.splitUntil;
    }
  }

  /**
   * A negotiation with `peer` failed: not again for a while. A joiner we chased through signaling
   * (a watch) that answers busy is alive and full, and asking again will not change that soon: the
   * chase ends there. Chased on every backoff for HEAL_MS, as a lost neighbour is, it had the server
   * carry an offer and a refusal per watch every half minute, most of what the server carried while a
   * large room edited. A split still heals through the lost neighbours' chase, which keeps retrying.
   */
  failed(peer: PeerId, why: 'busy' | 'unroutable'): void {
    this.coolDown(peer);
    if (why === 'busy' && this.lost.get(peer)?.watch === true) this.lost.delete(peer);
  }

  /** A lost neighbour answered (or refused) a retry through signaling: it is alive. */
  answered(peer: PeerId): void {
    const h = this.lost.get(peer);
    if (h) h.answered = true;
  }

  /** A lost neighbour's lookup (heal) ended, asked at `asked`. */
  probed(p: PeerId, h: Lost, asked: number, found: boolean): void {
    const io = this.io;
    // it answered, or a member named it in a reply (members name only peers they reach now)
    const r = io.relay.routes.get(p, io.now());
    if (found || (r !== undefined && r.learnt >= asked)) return void this.lost.delete(p);
    h.probe = 'no';
    h.next = Math.min(h.next, io.now());
    this.splitUntil = io.now() + HEAL_MS;
  }

  /** Retries lost neighbours through signaling (partition healing, see the header). */
  private heal(now: number): void {
    if (this.lost.size === 0) return;
    const io = this.io;
    for (const [p, h] of this.lost) {
      const r = io.relay.routes.get(p, now);
      // an envelope from it reached us through the overlay since every link across a split would have
      // timed out: one piece again
      const back = io.links.isOpen(p) || (r !== undefined && r.exact && r.learnt > h.since + h.margin);
      if (back || now - h.since > HEAL_MS || (!h.answered && h.tries >= HEAL_SILENT_TRIES)) {
        this.lost.delete(p);
        continue;
      }
      if (h.probe !== 'no') {
        if (h.probe === 'due' && h.next <= now) {
          if (h.watch && !io.discovery.amongClosest(p)) {
            // our table now names k members closer to the joiner: its self-lookup ends at them, not us
            this.lost.delete(p);
            continue;
          }
          if (io.links.open === 0) {
            // nothing to look it up through: we lost every link, so signaling it is (a new bootstrap)
            h.probe = 'no';
          } else {
            h.probe = 'busy';
            io.discovery.probe(p, cont(probed, this, p, h, now), h.strict);
            continue;
          }
        } else continue;
      }
      if (h.next > now || io.links.has(p) || !io.host.signalingUp() || io.links.size >= this.o.maxLinks) continue;
      h.tries++;
      h.next = now + h.backoff + this.o.connectTimeoutMs;
      h.backoff = Math.min(h.backoff * 2, HELLO_MAX_BACKOFF_MS);
      io.stats.healAttempts++;
      this.cooldown.delete(p);
      io.negotiation.connect(p, 'bootstrap', { via: 'signaling' });
    }
  }

  /** The periodic shuffle: one link to a random member in, the oldest out when above degree + 1. */
  shuffle(): void {
    const io = this.io;
    const now = io.now();
    const open = io.links.openLinks();
    if (!this.joined) return;
    if (open.length >= this.o.degree && io.links.size < this.o.maxLinks) {
      const [p] = this.pick(1, now);
      if (p !== undefined) this.connect(p, 'shuffle');
      else this.lookup(now);
    }
    if (open.length > this.o.degree + 1) {
      const pick = io.pickDrop?.(open.map((l) => l.peer)) ?? null;
      if (pick !== null) return io.dropLink(pick, 'shuffle');
      let oldest = open[0];
      for (const l of open) if (oldest && l.openedAt < oldest.openedAt) oldest = l;
      if (oldest && now - oldest.openedAt > this.o.shuffleMs) io.dropLink(oldest.peer, 'shuffle');
    }
  }

  /**
   * One more link to a random member, for rewiring to measure against the others: only when the view is
   * full (at least `degree` open) and has room. Returns the member asked, or -1.
   */
  trial(): number {
    const io = this.io;
    const now = io.now();
    if (!this.joined || io.links.open < this.o.degree || io.links.size >= this.o.maxLinks) return -1;
    const [p] = this.pick(1, now);
    if (p === undefined) return -1;
    this.connect(p, 'shuffle');
    return io.links.has(p) ? p : -1;
  }

  // ---- bootstrap through signaling ----------------------------------------------------------------

  /** A peer with no link said hello: offer it one, after a short random wait, unless others do first. */
  onHello(from: PeerId): void {
    const io = this.io;
    if (from === io.self || io.refused(from)) return;
    this.heardHello.delete(from);
    this.heardHello.set(from, io.now());
    if (this.heardHello.size > MAX_CANDIDATES) this.heardHello.delete(this.heardHello.keys().next().value as PeerId);
    if (this.joined && !io.links.has(from) && !this.lost.has(from) && io.discovery.amongClosest(from)) {
      const now = io.now();
      this.lost.set(from, { since: now, margin: 0, next: now + EXPECT_MS, tries: 0, answered: false, backoff: this.o.helloMs * 2, probe: 'due', strict: false, watch: true });
    }
    if (io.links.has(from) || io.links.size >= this.o.maxLinks) return;
    // a few answer, not the whole room: a member answers with a chance of ~ANSWERERS over the room size
    // (its DHT table size is a lower bound of it), and the fewer links it has the sooner
    const known = io.discovery.tableSize;
    if (known > ANSWERERS && !io.rng.chance(ANSWERERS / known)) return;
    this.offersSeen.set(from, 0);
    io.scheduleAnswer(from, this.o.helloAnswerMs * (0.5 * io.rng.float() + (0.5 * io.links.size) / this.o.maxLinks));
  }

  /** Someone offered `to` a link through signaling (we see the topic): count it against our answer. */
  onOfferSeen(to: PeerId): void {
    const n = this.offersSeen.get(to);
    if (n !== undefined) this.offersSeen.set(to, n + 1);
  }

  /** Whether an offer made to `to` on signaling would count against our own (we mean to answer its hello). */
  heedsOffersTo(to: PeerId): boolean {
    return this.offersSeen.has(to);
  }

  answerHello(peer: PeerId): void {
    const n = this.offersSeen.get(peer);
    this.offersSeen.delete(peer);
    if (n === undefined || n >= this.o.bootstrapLinks) return;
    this.io.negotiation.connect(peer, 'bootstrap', { via: 'signaling' });
  }

  onBye(from: PeerId): void {
    this.lost.delete(from);
    this.heardHello.delete(from);
    this.coolDown(from);
  }

  /**
   * A partition made on purpose healed: chase the peers it cut off through signaling, like lost
   * neighbours (the silent-tries rule drops the dead).
   */
  chase(peers: readonly PeerId[]): void {
    const now = this.io.now();
    for (const p of peers)
      if (p !== this.io.self && !this.lost.has(p))
        this.lost.set(p, { since: now, margin: 0, next: now + this.io.rng.float() * this.o.helloMs, tries: 0, answered: false, backoff: this.o.helloMs * 2, probe: 'no', strict: false, watch: false });
  }

  /** Lost neighbours being retried (for the inspector). */
  get healing(): number {
    return this.lost.size;
  }
}

// lookups keep their callbacks while they run: continuations over these (a keyframe of a simulated
// room copies them; see src/sim/snapshot.ts)
const sampled = markStatic((v: PartialView, members: PeerId[], hops: number): void => v.sampled(members, hops));
const joinedRoom = markStatic((v: PartialView, members: PeerId[], hops: number): void => v.joinedRoom(members, hops));
const selfFound = markStatic((v: PartialView): void => v.announceSelf());
const probed = markStatic((v: PartialView, p: PeerId, h: Lost, asked: number, found: boolean): void => v.probed(p, h, asked, found));
/** Members a lookup found become candidates (the lookup's hop count aside). */
export const addCandidates = markStatic((v: PartialView, members: PeerId[]): void => v.addCandidates(members));

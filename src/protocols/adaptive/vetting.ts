/**
 * Asking the neighbours about a stranger before linking with it. In a large overlay no peer can hear
 * of every malicious peer through the periodic opinion lists in time: a list carries `maxOpinions`
 * entries, so the warnings about M malicious peers reach a given peer about 8 (maxOpinions - 10) / M
 * times a period, and second-hand evidence ages away between them. But a malicious peer asks
 * uniformly sampled peers for links, so each ask lands on a peer that may not know it while some
 * neighbour of that peer does. So before taking a connect from (or asking for a link) a peer it has no
 * first-hand evidence on, an honest peer asks `askNeighbours` random neighbours what they hold about it
 * (`ask`), takes each answer (`tell`: one opinion entry) as second-hand evidence, trust- and
 * credibility-weighted like an opinion list, and decides once all have answered or `askTimeoutMs` has
 * passed. The answers stay in its table: a malicious peer that keeps asking teaches the peers it asks
 * about itself.
 */
import type { PeerId } from '../../core/index.js';
import { OPINION_ENTRY_BYTES } from './messages.js';
import type { OverlayPeer } from './overlay-peer.js';
import type { Opinion } from './reputation.js';

/** Timer tag of a vetting's deadline (data: its nonce). */
export const TIMER_VET = 7;
/** Payload bytes of an ask (peer id, nonce) and of a tell (nonce, one opinion entry). */
export const ASK_BYTES = 8;
export const TELL_BYTES = 4 + OPINION_ENTRY_BYTES;

/** An ask we hold on to while our own neighbours are asked (we held nothing on the peer). */
interface Relay {
  /** The neighbour that asked us, and its nonce. */
  asker: PeerId;
  askerNonce: number;
  peer: PeerId;
  nonce: number;
  asked: PeerId[];
}

/** Open relays a peer keeps at once; asks beyond them are answered at once (bounds what a neighbour
 * that floods asks can make us send). */
const MAX_RELAYS = 64;
/** Evidence (good + bad) below which what we hold on a peer is nothing to go on. */
const NOTHING = 0.05;

interface Vet {
  peer: PeerId;
  nonce: number;
  /** Neighbours asked that have not answered yet. */
  asked: PeerId[];
  /** A connect from `peer` waits for the decision (else we want to ask `peer` for a link). */
  incoming: boolean;
  /** The connect's `random` flag (incoming only). */
  random: boolean;
}

/** What the peer does once a vetting is decided (peer.ts). */
export interface VetOutcome {
  /** Answer the connect `peer` sent (accept if it is acceptable now and there is room). */
  answerConnect(peer: PeerId, random: boolean): void;
  /** Refuse the connect `peer` sent. */
  refuseConnect(peer: PeerId): void;
  /** Ask `peer` for a (random) link if it is acceptable now. */
  askForLink(peer: PeerId): void;
}

export class Vetting {
  /** Open vettings, by the peer vetted. */
  private readonly open = new Map<PeerId, Vet>();
  private readonly byNonce = new Map<number, Vet>();
  private readonly relays = new Map<number, Relay>();
  private nonce = 0;
  /** Open vettings for links we would ask for (maintenance counts them as pending). */
  outgoing = 0;

  constructor(
    private readonly peer: OverlayPeer,
    private readonly outcome: VetOutcome,
  ) {}

  /** Whether `p` is vetted before linking: we judge, ask someone, and have no first-hand evidence on it. */
  needed(p: PeerId): boolean {
    const me = this.peer;
    return me.judging && me.cfg.reputation.askNeighbours > 0 && me.links.size > 0 && me.trust.directEvidence(p) === 0;
  }

  has(p: PeerId): boolean {
    return this.open.has(p);
  }

  /** A connect from `p` while it is being vetted: answered once decided (true), else false. */
  takeConnect(p: PeerId, random: boolean): boolean {
    const v = this.open.get(p);
    if (v === undefined) return false;
    if (!v.incoming) {
      v.incoming = true;
      v.random = random;
      this.outgoing--;
    }
    return true;
  }

  /** Asks up to `askNeighbours` random neighbours (never `p`) about `p`. */
  start(p: PeerId, incoming: boolean, random: boolean): void {
    const me = this.peer;
    const rep = me.cfg.reputation;
    const nonce = this.nonce++;
    const v: Vet = { peer: p, nonce, asked: this.askAround(p, -1, rep.askNeighbours, nonce, rep.askRelay > 0), incoming, random };
    this.open.set(p, v);
    this.byNonce.set(nonce, v);
    if (!incoming) this.outgoing++;
    me.ctx.setTimer(rep.askTimeoutMs, TIMER_VET, nonce);
    if (v.asked.length === 0) this.finish(v);
  }

  /** Sends `ask` about `p` to up to `k` random neighbours other than `p` and `except`; returns them. */
  private askAround(p: PeerId, except: PeerId, k: number, nonce: number, relay: boolean): PeerId[] {
    const me = this.peer;
    const ids: PeerId[] = [];
    for (const q of me.links.keys()) if (q !== p && q !== except) ids.push(q);
    const n = Math.min(k, ids.length);
    const rng = me.ctx.rng;
    for (let i = 0; i < n; i++) {
      const j = i + rng.int(ids.length - i);
      const to = ids[j]!;
      ids[j] = ids[i]!;
      ids[i] = to;
      const bytes = me.send(to, relay ? { t: 'ask', peer: p, nonce, relay } : { t: 'ask', peer: p, nonce }, ASK_BYTES);
      me.host.reputationBytes?.(bytes);
    }
    ids.length = n;
    return ids;
  }

  /**
   * Neighbour `from` asks about `p` and we hold nothing on it: we ask `askRelay` of our own
   * neighbours first and answer with what they told us, weighted as usual (which stays in our table
   * too). In a large overlay the peers that cut a malicious peer and those they told are a small share
   * of it: eight answers from one neighbourhood often hold nothing, while a ring of 8 + 8 x askRelay
   * peers around the asker more often reaches one that knows. Returns false when we answer at once.
   */
  relay(from: PeerId, p: PeerId, askerNonce: number): boolean {
    const me = this.peer;
    const rep = me.cfg.reputation;
    if (rep.askRelay === 0 || this.relays.size >= MAX_RELAYS) return false;
    const o = me.trust.opinionOf(p);
    if (o.good + o.bad >= NOTHING) return false;
    const nonce = this.nonce++;
    const asked = this.askAround(p, from, rep.askRelay, nonce, false);
    if (asked.length === 0) return false;
    this.relays.set(nonce, { asker: from, askerNonce, peer: p, nonce, asked });
    me.ctx.setTimer(rep.askTimeoutMs / 2, TIMER_VET, nonce);
    return true;
  }

  private answerRelay(r: Relay): void {
    const me = this.peer;
    this.relays.delete(r.nonce);
    const bytes = me.send(r.asker, { t: 'tell', nonce: r.askerNonce, entry: me.trust.opinionOf(r.peer) }, TELL_BYTES);
    me.host.reputationBytes?.(bytes);
  }

  /** `from` answered ask `nonce` with `entry` (already checked as an opinion entry). */
  onTell(from: PeerId, nonce: number, entry: Opinion): void {
    const v = this.byNonce.get(nonce) ?? this.relays.get(nonce);
    if (v === undefined || entry.peer !== v.peer) return;
    const i = v.asked.indexOf(from);
    if (i < 0) return; // not asked, or answered already
    v.asked.splice(i, 1);
    this.peer.trust.integrate(from, [entry]);
    if (v.asked.length > 0) return;
    if ('asker' in v) this.answerRelay(v);
    else this.finish(v);
  }

  /** The deadline of vetting `nonce`: decided with the answers that came. */
  onTimeout(nonce: number): void {
    const v = this.byNonce.get(nonce);
    if (v !== undefined) return this.finish(v);
    const r = this.relays.get(nonce);
    if (r !== undefined) this.answerRelay(r);
  }

  private finish(v: Vet): void {
    if (this.byNonce.get(v.nonce) !== v) return;
    this.byNonce.delete(v.nonce);
    this.open.delete(v.peer);
    const against = this.heardAgainst(v.peer);
    if (v.incoming) {
      if (against) this.outcome.refuseConnect(v.peer);
      else this.outcome.answerConnect(v.peer, v.random);
    } else {
      this.outgoing--;
      if (!against) this.outcome.askForLink(v.peer);
    }
  }

  /**
   * Whether what we heard of a stranger (no first-hand evidence), the answers included, weighs
   * against it: more (trust-weighted) bad than good. Such a peer is refused although its score may
   * still be above admitThreshold: the threshold leaves a stranger room for hearsay noise when
   * nobody was asked, but here the neighbours were asked and what came back was a warning. Warnings
   * two hops from the peers that cut a malicious peer arrive damped twice (passed on, then weighted),
   * and in a large overlay they are most of what a neighbourhood holds: at 10^4 peers most links to
   * malicious peers made after 20 s followed a vetting in which some neighbour had warned of it.
   */
  private heardAgainst(p: PeerId): boolean {
    const r = this.peer.trust.record(p);
    return r !== undefined && r.rd + r.sd === 0 && r.si > r.ri;
  }
}

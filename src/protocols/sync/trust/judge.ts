/**
 * How an honest sync peer judges its neighbours: the adaptive overlay's reputation (TrustTable of
 * src/protocols/adaptive/reputation.ts: beta reputation with ageing, opinions weighted by the reporter's
 * track record and credibility, the deviation test), fed with what a sync peer can verify itself:
 *
 * - a gossiped message with a good seal: +0.25 good, at most 1 a period per link (a busy Plumtree tree
 *   link delivers dozens a second; valid traffic shows a peer forwards, it should not outweigh the rest);
 * - a bad seal (altered, forged, junk): +4 bad, proof (trust.ts);
 * - pull probes: once a period each neighbour is asked for a message we pushed or announced to it at least
 *   `probeAgeMs` ago; the answer must be the origin's signature of it (which only a holder of the message
 *   has): +1 good; "not held", a wrong signature or silence for `probeTimeoutMs`: +1 bad;
 * - the forwarding share: a neighbour linked for 5 periods that delivered (messages and announcements)
 *   under 5% of what the median neighbour did: +0.25 bad;
 * - opinion lists: a replayed one (sequence number not above the last), one longer than `maxOpinions`,
 *   or a malformed one is dropped whole and counted, +1 bad; an accepted one is integrated (second-hand
 *   evidence, and the deviation test of its entries against our first-hand views: the reporter's
 *   credibility).
 *
 * Cut rules: (1) as the simulator's, combined score below `threshold` and first-hand score below 0.5;
 * (2) a liar: a neighbour that keeps reporting as bad peers we know first-hand to be good. Lying about what
 * we saw ourselves is misbehaviour we can observe, so a peer that only badmouths is cut too (the
 * simulator's adaptive overlay only stops hearing such a reporter). Only that one direction counts: an
 * honest peer that has not yet caught an attacker reports it as good, which contradicts our blacklist
 * but is no lie; and a lie is never turned into first-hand evidence, which is what the test compares
 * with (an honest reporter that disagreed with a poisoned view would look like a liar in turn).
 * Admission: not blacklisted and combined score at least `admitThreshold`.
 */
import type { MsgId } from '../../gossip/index.js';
import { opinionsFor, TrustTable, validateOpinions, type Opinion } from '../../adaptive/reputation.js';
import { bytesEqual } from './crypto.js';
import type { TrustLink } from './link.js';
import { T_OPINIONS, T_PROBE, T_PROOF, type WireOpinion } from './messages.js';
import { TT_PROBE, type TrustParts } from './core.js';

/** Bad evidence of one provably bad message. */
export const PROOF_WEIGHT = 4;
const VALID_WEIGHT = 0.25;
const VALID_CAP = 1;
const PROBE_WEIGHT = 1;
const SHARE_WEIGHT = 0.25;
const LIST_WEIGHT = 1;
/** Who we know first-hand to be good: at least this much evidence, and a first-hand score at least GOOD_SCORE. */
const KNOWN_EVIDENCE = 3;
const GOOD_SCORE = 0.75;
/** A reporter more credible than this (agreements over disagreements, with the prior) is a good one. */
const GOOD_REPORTER = 0.5;
/** An entry saying "bad" (its score below this) about a peer we know to be good is a lie. */
const LIE_SCORE = 0.25;
/**
 * Most evidence an opinion entry carries about a peer we know only second-hand: with the Beta prior an
 * entry this light never scores under LIE_SCORE ((0 + 1) / (1.5 + 2) = 0.29), so passing on a rumour is never a lie.
 */
const RUMOUR_WEIGHT = 1.5;
/** Reporters a peer hears a rumour from at most (its links), for the rumour's damping. */
const RUMOUR_LINKS = 8;
/** A liar: at least this many lies (aged like all evidence), more than its true reports about such peers. */
const LIAR_LIES = 3;
/** Peer ids on the wire are u32: opinion entries are checked against this bound. */
const PEER_SPACE = 2 ** 32;

/** An entry that calls its peer bad: scoring below LIE_SCORE (a rumour never does). */
function accuses(o: Opinion): boolean {
  const total = o.good + o.bad;
  return total > 0 && (o.good + 1) / (total + 2) < LIE_SCORE;
}

interface OpenProbe {
  peer: number;
  gen: number;
  id: MsgId;
}

export class Judge {
  readonly table: TrustTable;
  private readonly probes = new Map<number, OpenProbe>();
  private nonce = 0;
  private opinionSeq = 0;
  private cursor = 0;

  constructor(private readonly t: TrustParts) {
    const o = t.o;
    this.table = new TrustTable(t.io.self, {
      ageing: o.ageing,
      indirectWeight: o.indirectWeight,
      maxOpinions: o.maxOpinions,
      maxReportWeight: o.maxReportWeight,
      maxKnown: o.maxKnown,
      peers: PEER_SPACE,
    });
  }

  refuses(peer: number): boolean {
    return this.table.isBlacklisted(peer) || this.table.score(peer) < this.t.o.admitThreshold;
  }

  // ---- first-hand evidence ------------------------------------------------------------------------

  /** A message with a good seal came on this link. */
  valid(l: TrustLink): void {
    l.delivered++;
    l.first++;
    if (!this.t.judging || l.validThisPeriod >= VALID_CAP) return;
    const w = Math.min(VALID_WEIGHT, VALID_CAP - l.validThisPeriod);
    l.validThisPeriod += w;
    this.table.good(l.peer, w);
  }

  /** Announcements (IHAVE) came on this link: it forwards, lazily. */
  announced(l: TrustLink, ids: number): void {
    l.delivered += ids;
  }

  /** Proof of misbehaviour on this link. */
  proof(l: TrustLink, weight: number): void {
    if (this.t.judging) this.table.bad(l.peer, weight);
  }

  forget(peer: number): void {
    for (const [n, p] of this.probes) if (p.peer === peer) this.probes.delete(n);
  }

  // ---- probes -------------------------------------------------------------------------------------

  private sendProbes(now: number): void {
    const t = this.t;
    for (const l of t.links.values()) {
      if (l.auth !== 'ok') continue;
      const id = l.probeCandidate(now, t.o.probeAgeMs);
      if (id === null || t.origins.proofOf(id) === null) continue;
      const nonce = (this.nonce = (this.nonce + 1) >>> 0);
      this.probes.set(nonce, { peer: l.peer, gen: l.gen, id });
      if (!t.send(l.peer, { k: T_PROBE, nonce, id })) {
        this.probes.delete(nonce);
        continue;
      }
      t.stats.probesSent++;
      t.io.setTimer(t.o.probeTimeoutMs, TT_PROBE, nonce);
    }
  }

  /** A neighbour asks us to show we hold message `id`. */
  onProbe(l: TrustLink, nonce: number, id: MsgId): void {
    const t = this.t;
    const sig = t.origins.proofOf(id);
    if (sig === null) t.stats.probesForUnknown++;
    const answer = t.attack ? t.attack.proof(sig) : sig;
    if (answer !== undefined) t.send(l.peer, { k: T_PROOF, nonce, sig: answer });
  }

  /** The answer to one of our probes. */
  onProof(l: TrustLink, nonce: number, sig: Uint8Array | null): void {
    const t = this.t;
    const p = this.probes.get(nonce);
    // late (after its timeout), not ours, or for another link: nothing to learn from it
    if (p === undefined || p.peer !== l.peer || p.gen !== l.gen) {
      t.stats.proofsUnasked++;
      return;
    }
    this.probes.delete(nonce);
    const mine = t.origins.proofOf(p.id);
    if (mine === null || !t.judging) return;
    if (sig !== null && bytesEqual(sig, mine)) {
      t.stats.probesPassed++;
      this.table.good(l.peer, PROBE_WEIGHT);
    } else {
      t.stats.probesFailed++;
      this.table.bad(l.peer, PROBE_WEIGHT);
    }
  }

  probeTimeout(nonce: number): void {
    const t = this.t;
    const p = this.probes.get(nonce);
    if (p === undefined) return;
    this.probes.delete(nonce);
    t.stats.probesTimedOut++;
    const l = t.links.get(p.peer);
    if (t.judging && l !== undefined && l.gen === p.gen) this.table.bad(p.peer, PROBE_WEIGHT);
  }

  // ---- opinions -----------------------------------------------------------------------------------

  /** An opinion list from a neighbour: checked (replay, length, fields), then integrated. */
  onOpinions(l: TrustLink, seq: number, entries: WireOpinion[]): void {
    const t = this.t;
    if (!t.judging) return;
    const o = t.o;
    if (seq <= l.opinionSeq) {
      t.stats.opinionsReplayed++;
      this.table.bad(l.peer, LIST_WEIGHT);
      return;
    }
    l.opinionSeq = seq;
    if (entries.length > o.maxOpinions) {
      t.stats.opinionsOversize++;
      this.table.bad(l.peer, LIST_WEIGHT);
      return;
    }
    const ops = validateOpinions(entries, { maxOpinions: o.maxOpinions, maxReportWeight: o.maxReportWeight, peers: PEER_SPACE });
    if (typeof ops === 'string') {
      t.stats.opinionsMalformed++;
      this.table.bad(l.peer, LIST_WEIGHT);
      return;
    }
    t.stats.opinionsTaken++;
    l.accused = new Set(ops.filter(accuses).map((e) => e.peer));
    this.checkLies(l, ops);
    const max = o.maxKnown;
    this.table.integrate(
      l.peer,
      ops,
      (p, good, bad) => l.heard(p, good, bad, max),
      (e) => this.contest(l, e) === 'fair',
    );
  }

  /**
   * Whether `l`'s entry accuses a neighbour of ours that accuses `l`'s far end in turn, and if so which
   * of the two we take for the liar. Two neighbours that both look good to us first-hand and call each
   * other bad: one of them lies, and our own view cannot say which (an honest peer that caught a
   * badmouther before us reports it as bad, and the badmouther reports everyone as bad). Going by who
   * looked good to us first, where the attackers are most of a peer's neighbours the honest side was
   * taken for the liar and cut. What tells them apart is how widely each accuses: an honest peer
   * accuses the peers it cut, a badmouther everyone it knows of. So the one whose latest list accuses
   * more peers lies ('lie'); at a tie neither entry is a lie, nor moves the reporter's credibility ('fair').
   * A badmouther's word about a neighbour that has not caught it is no contest ('none') and counts as
   * before; it cannot make a neighbour accuse it without misbehaving towards that neighbour.
   */
  private contest(l: TrustLink, e: Opinion): 'none' | 'lie' | 'fair' {
    if (!accuses(e)) return 'none';
    const x = this.t.links.get(e.peer);
    if (x === undefined || !x.accused.has(l.peer)) return 'none';
    return l.accused.size > x.accused.size ? 'lie' : 'fair';
  }

  /** Counts the list's entries about peers we know first-hand to be good: lies ("bad") and true reports. */
  private checkLies(l: TrustLink, ops: readonly Opinion[]): void {
    const self = this.t.io.self;
    for (const o of ops) {
      const total = o.good + o.bad;
      if (total <= 0 || o.peer === l.peer) continue;
      if (o.peer !== self && (!this.knownGood(o.peer) || this.contest(l, o) === 'fair')) continue;
      if (accuses(o)) {
        l.lies++;
        this.t.stats.lies++;
      } else l.truths++;
    }
  }

  /**
   * Whether we know `peer` to be good, well enough to call a report that it is bad a lie: a neighbour now
   * (what we saw of a former neighbour may be out of date), with enough first-hand evidence and a good
   * first-hand score, that has not lied to us itself and is, as a reporter, more often right than wrong by
   * our deviation test. The last two keep an honest reporter from being taken for a liar when it caught a
   * badmouther before we did: a badmouther forwards well, so first-hand it looks good to us too, but it
   * lies in its lists to us as well (its praise of its fellow attackers, which we may find true, can lift
   * its credibility; its lies about our neighbours still count on its link).
   */
  private knownGood(peer: number): boolean {
    const l = this.t.links.get(peer);
    if (l === undefined || l.auth !== 'ok' || l.lies >= 1) return false;
    const r = this.table.record(peer);
    if (r === undefined || r.blacklisted || r.rd + r.sd < KNOWN_EVIDENCE || (r.rd + 1) / (r.rd + r.sd + 2) < GOOD_SCORE) return false;
    return (r.cg + 1) / (r.cg + r.cb + 2) > GOOD_REPORTER;
  }

  /** Whether `l`'s far end keeps lying about peers we know to be good. */
  private liar(l: TrustLink): boolean {
    return l.lies >= LIAR_LIES && l.lies > l.truths;
  }

  /** This period's opinion list (first-hand views of our neighbours first, then the table in turn). */
  opinionList(): Opinion[] {
    this.cursor += this.t.o.maxOpinions;
    const list = this.table.opinions(this.t.neighbours(), this.cursor);
    // what we only heard (little first-hand evidence, not blacklisted) goes on as a rumour: at most
    // RUMOUR_WEIGHT, too little for the lie test. A badmouther's reports that reached us before we found
    // it out must not make us look like a liar to a neighbour that knows the badmouthed peer first-hand.
    // A rumour is also damped, so that it cannot keep itself alive: every neighbour passing on what it
    // heard from the others would otherwise feed it back faster than it ages (each entry re-sent at
    // RUMOUR_WEIGHT to ~5 neighbours every period against 10% ageing), and a lie told once, or a
    // warning about a peer long gone, would stay in the room for good. The share of second-hand evidence
    // passed on keeps the loop's gain (up to RUMOUR_LINKS reporters, each heard at indirectWeight) at
    // half the ageing; first-hand evidence goes as it is.
    const o = this.t.o;
    const share = (o.indirectWeight * (1 - o.ageing)) / (2 * RUMOUR_LINKS * o.indirectWeight);
    for (const e of list) {
      const r = this.table.record(e.peer);
      if (r === undefined || r.blacklisted || r.rd + r.sd >= KNOWN_EVIDENCE) continue;
      e.good = r.rd + share * r.ri;
      e.bad = r.sd + share * r.si;
      const total = e.good + e.bad;
      if (total > RUMOUR_WEIGHT) {
        e.good *= RUMOUR_WEIGHT / total;
        e.bad *= RUMOUR_WEIGHT / total;
      }
    }
    return list;
  }

  sendOpinions(to: number, entries: readonly Opinion[]): void {
    this.opinionSeq = (this.opinionSeq + 1) >>> 0;
    this.t.send(to, { k: T_OPINIONS, seq: this.opinionSeq, entries: entries as WireOpinion[] });
  }

  // ---- the period ---------------------------------------------------------------------------------

  /** Once per periodMs: ageing, the forwarding share, probes, cuts, opinions. */
  period(): void {
    const t = this.t;
    const o = t.o;
    const now = t.io.now();
    const table = this.table;
    table.age();
    const trusted = [...t.links.values()].filter((l) => l.auth === 'ok');
    const counts = trusted.map((l) => l.delivered).sort((a, b) => a - b);
    const median = counts.length ? counts[counts.length >> 1]! : 0;
    for (const l of trusted) {
      if (median >= 8 && now - l.since >= 5 * o.periodMs && l.delivered < 0.05 * median) table.bad(l.peer, SHARE_WEIGHT);
      l.delivered *= o.ageing;
      l.first *= o.ageing;
      l.lies *= o.ageing;
      l.truths *= o.ageing;
      l.validThisPeriod = 0;
      l.ageSaid(o.ageing);
    }
    this.sendProbes(now);
    for (const l of trusted) {
      const score = table.score(l.peer);
      const low = score < o.threshold && table.directScore(l.peer) < 0.5;
      if (low || this.liar(l)) {
        // what it told us about others goes with it: a badmouther in the middle of the room otherwise
        // keeps the peers it lied about refused long after it is cut (and us refused by them)
        for (const [p, [good, bad]] of l.said) table.retract(p, good, bad);
        l.said.clear();
        table.blacklist(l.peer);
        t.stats.cuts++;
        if (!low) t.stats.liarCuts++;
        t.event({ type: 'cut', peer: l.peer, score, why: low ? 'score' : 'liar' });
        t.io.drop(l.peer, 'cut');
      }
    }
    const list = this.opinionList();
    for (const p of t.neighbours()) this.sendOpinions(p, opinionsFor(list, p, o.maxOpinions));
  }
}

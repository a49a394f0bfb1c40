/**
 * SyncTrust: the sync peer's trust layer. With it a room's peers prove who they are, sign what they
 * originate, judge their neighbours by what they can verify, cut off the ones that misbehave, refuse them
 * as new neighbours, and rewire the rest of their partial view for latency or throughput.
 *
 * - Links: the first frame each end sends on a new link is KEY (its public key, whose hash is its peer id,
 *   and a signature over the room, both ids, the link's negotiation nonce and, live, the DTLS certificate
 *   fingerprints of both ends of the connection, so a proof relayed by a man in the middle onto another
 *   connection does not check out). Until the far end's KEY checks out, its other frames wait (bounded)
 *   and the peer's usual link-up has not run; a wrong or missing key closes the link as a violation.
 * - Origin proofs: every gossiped payload is sealed by its origin (sealed.ts) and checked on arrival,
 *   before Plumtree sees it, so nothing altered is applied or passed on. A bad seal is proof against the
 *   link it came from (honest peers check before they forward), weighed like the simulator's proofs.
 *   An update too big for gossip is pushed with its origin's seal over the whole update (checked once the
 *   link has put its chunks back together), forwarded with that seal unchanged and judged the same way.
 * - Anti-entropy: the sealed updates that checked out are kept (originals.ts) and answer state-vector
 *   requests; what a replier sends beyond them is its own claim, counted and refused where it edits as a
 *   Yjs client a checked seal bound to another origin.
 * - Evidence, opinions, probes and the cut rule: judge.ts (the adaptive overlay's reputation,
 *   src/protocols/adaptive/reputation.ts). Rewiring: rewiring.ts. Attackers: behaviours.ts.
 *
 * Checks may answer later (WebCrypto): each link's frames wait in one queue and leave it in arrival
 * order, so a slow check never reorders a link. Nothing a peer sends can make this throw: bad input is
 * dropped and counted, and evidence against its sender where the sender is to blame.
 */
import type { MsgId } from '../../gossip/index.js';
import { GOSSIP, IHAVE } from '../../gossip/index.js';
import * as Y from 'yjs';
import { F_BYE, F_FLOOD, F_GOSSIP, F_PING, F_PUSH, F_SYNC_REPLY, F_SYNC_SEALED, F_TRUST, type Frame, type PushFrame, type SealedOriginal } from '../wire/frames.js';
import { decodePayload, P_AWARENESS } from '../wire/payload.js';
import { Attack } from './behaviours.js';
import { bytesEqual, linkSigningData, pushSigningData, updateSigningData, type TrustCrypto } from './crypto.js';
import type { TrustEvent, TrustIO, TrustStats } from './io.js';
import { newTrustStats } from './io.js';
import { Judge, PROOF_WEIGHT } from './judge.js';
import { TrustLink, type Waiting } from './link.js';
import { T_KEY, T_KIND, T_OPINIONS, T_PING, T_PONG, T_PROBE, T_PROOF, type LinkCerts, type TrustMsg } from './messages.js';
import type { ResolvedTrustOptions } from './options.js';
import { Origins, type SealVerdict } from './origins.js';
import { Rewiring } from './rewiring.js';
import { seal, unseal } from './sealed.js';
import { Originals, rangesOf, } from './originals.js';
import { trustMsgSize } from './codec.js';
import { TT_AUTH, TT_PERIOD, TT_PROBE, TT_REWIRE, TT_SPAM, type TrustParts } from './core.js';

/** The id and payload of a frame that carries a gossiped message (Plumtree GOSSIP, or FLOOD), else null. */
export function gossipOf(f: Frame): { id: MsgId; payload: Uint8Array } | null {
  if (f.t === F_GOSSIP && f.g.type === GOSSIP) return f.g;
  if (f.t === F_FLOOD) return { id: { origin: f.origin, session: 0, seq: f.seq }, payload: f.payload };
  return null;
}

/** Bad evidence of a sync reply refused for edits as another origin (an honest replier that forgot the originals sends one too). */
const REFUSED_REPLY_WEIGHT = 1;

/** The document and update a sealed original carries (a pushed one's document is given), or null (awareness, junk). */
function updateOf(o: SealedOriginal, pushedTo?: string): { doc: string; update: Uint8Array } | null {
  if (o.kind === 'push') return { doc: pushedTo ?? '', update: o.update };
  const s = unseal(o.sealed);
  if (s === null) return null;
  try {
    const p = decodePayload(s.payload, false);
    return p.kind === P_AWARENESS ? null : { doc: p.doc, update: p.update };
  } catch {
    return null;
  }
}

/** The bytes a held frame keeps in memory (a decoded frame's update, or what the host says it took). */
function heldBytes(f: Frame, bytes: number): number {
  return Math.max(bytes, f.t === F_PUSH || f.t === F_SYNC_REPLY ? f.update.length : 0);
}

export class SyncTrust implements TrustParts {
  readonly stats: TrustStats;
  readonly links = new Map<number, TrustLink>();
  readonly origins: Origins;
  /** Sealed updates kept to answer anti-entropy with, and the Yjs client bindings. */
  readonly originals: Originals;
  readonly judge: Judge;
  readonly rewiring: Rewiring;
  readonly attack: Attack | null;
  /** Whether this peer judges its neighbours (honest peers do; attackers judge no one). */
  readonly judging: boolean;
  private gen = 0;
  /** Local payloads waiting for their seal, in order (one signs at a time: each gets the next id). */
  private readonly sealing: Uint8Array[] = [];
  private signing = false;
  private stopped = false;

  constructor(
    readonly io: TrustIO,
    readonly o: ResolvedTrustOptions,
    readonly crypto: TrustCrypto,
    stats?: TrustStats,
  ) {
    this.stats = stats ?? newTrustStats();
    this.origins = new Origins(io.room, crypto, o.proofCache);
    this.origins.pin(io.self, crypto.publicKey);
    this.originals = new Originals(o.originalsBytes);
    this.judging = o.behaviour === 'honest';
    this.judge = new Judge(this);
    this.rewiring = new Rewiring(this);
    this.attack = o.behaviour === 'honest' ? null : new Attack(this);
  }

  start(): void {
    const rng = this.io.rng;
    this.io.setTimer(rng.float() * this.o.periodMs, TT_PERIOD);
    if (this.judging && this.o.rewiring !== 'none') this.io.setTimer(rng.float() * this.o.rewiringPeriodMs, TT_REWIRE);
    this.attack?.start();
  }

  stop(): void {
    this.stopped = true;
    this.sealing.length = 0;
  }

  // ---- links --------------------------------------------------------------------------------------

  /** An authenticated link to `peer` (one whose far end proved its key). */
  trusted(peer: number): TrustLink | undefined {
    const l = this.links.get(peer);
    return l?.auth === 'ok' ? l : undefined;
  }

  /** Peers of the authenticated links. */
  neighbours(): number[] {
    const out: number[] = [];
    for (const l of this.links.values()) if (l.auth === 'ok') out.push(l.peer);
    return out;
  }

  /** A link opened: say who we are; its far end must do the same within authTimeoutMs. */
  linkOpen(peer: number): void {
    const nonce = this.io.linkNonce(peer);
    if (nonce === undefined || this.stopped) return;
    // the proof names this connection's certificates (ours, then theirs), so it is good on this connection only
    const certs = this.io.bindsCerts ? this.io.linkCerts(peer) : null;
    if (this.io.bindsCerts && certs === null) return this.io.drop(peer, 'trust: no DTLS certificate fingerprints to bind our key proof to');
    const l = new TrustLink(peer, ++this.gen);
    this.links.set(peer, l);
    this.crypto.sign(linkSigningData(this.io.room, this.io.self, peer, nonce, certs), (proof) => {
      if (this.links.get(peer) !== l || this.stopped) return;
      this.send(peer, { k: T_KEY, key: this.crypto.publicKey, proof, certs });
    });
    this.io.setTimer(this.o.authTimeoutMs, TT_AUTH, l);
  }

  linkDown(peer: number): void {
    const l = this.links.get(peer);
    if (!l) return;
    this.links.delete(peer);
    l.queue.length = 0;
    this.judge.forget(peer);
    this.rewiring.linkDown(l);
  }

  /** Whether `peer` may not be linked with (blacklisted, or below the admission threshold). */
  refuses(peer: number): boolean {
    return this.judging && this.judge.refuses(peer);
  }

  // ---- frames in ----------------------------------------------------------------------------------

  /** A frame from `peer`'s open link: trust frames are handled here, others pass on in order once checked. */
  inbound(peer: number, f: Frame, bytes: number): void {
    const l = this.links.get(peer);
    if (!l) return this.io.process(peer, f, bytes); // opened before trust knew (cannot happen) : pass
    // the far end's own trust messages may follow its KEY before we have checked that KEY (it checked ours
    // sooner: WebCrypto answers in its own time at each end): they wait with the rest; before any KEY they are a violation
    if (f.t === F_TRUST && (f.m.k === T_KEY || l.auth !== 'checking')) return this.onMessage(l, f.m);
    if (l.auth !== 'ok') {
      // PING keeps the link alive and BYE ends it whatever its state; the rest waits for the key
      if (f.t === F_PING || f.t === F_BYE) return this.io.process(peer, f, bytes);
      if (l.queue.length >= this.o.maxHeldFrames) return this.io.violation(peer, `trust: more than ${this.o.maxHeldFrames} frames before its key`);
      if (!this.hold(l, f, bytes, 'ok')) return;
      this.stats.held++;
      return;
    }
    const g = gossipOf(f);
    if (g !== null) {
      const w = this.hold(l, f, bytes, 'wait');
      if (w === null) return;
      this.origins.check(g.id, g.payload, (v) => this.checked(l, w, v === 'ok' ? this.admit({ kind: 'gossip', id: g.id, sealed: g.payload }) : v, false));
      return;
    }
    if (f.t === F_PUSH) {
      // a big update: its seal is checked over the whole of it (the link reassembled its chunks), in turn
      const w = this.hold(l, f, bytes, 'wait');
      if (w === null) return;
      const s = f.seal;
      this.origins.checkPush(s, f.doc, f.update, (v) =>
        this.checked(l, w, v === 'ok' && s ? this.admit({ kind: 'push', seal: s, update: f.update }, f.doc) : v, true),
      );
      return;
    }
    if (f.t === F_SYNC_SEALED) {
      const w = this.hold(l, f, bytes, 'wait');
      if (w !== null) this.checkOriginals(l, w, f.doc, f.items);
      return;
    }
    if (f.t === F_GOSSIP && f.g.type === IHAVE) this.judge.announced(l, f.g.ids.length);
    if (l.queue.length > 0) {
      this.hold(l, f, bytes, 'ok');
      return;
    }
    this.io.process(peer, f, bytes);
  }

  /** Queues a frame on its link, within the link's byte bound (beyond it: a violation, and null). */
  private hold(l: TrustLink, f: Frame, bytes: number, verdict: Waiting['verdict']): Waiting | null {
    const size = heldBytes(f, bytes);
    if (l.heldBytes + size > this.o.maxHeldBytes) {
      this.io.violation(l.peer, `trust: more than ${this.o.maxHeldBytes} bytes held for checks`);
      return null;
    }
    const w: Waiting = { f, bytes, verdict, size };
    l.heldBytes += size;
    l.queue.push(w);
    return w;
  }

  /**
   * A sealed update that checked out: kept for anti-entropy if it is a document update, its Yjs clients
   * bound to its origin. 'foreign-client' if it carries structs of a client bound to another origin.
   */
  private admit(o: SealedOriginal, pushedTo?: string): SealVerdict | 'foreign-client' {
    const u = updateOf(o, pushedTo);
    if (u === null) return 'ok'; // awareness, or a payload the peer will refuse as malformed on its own
    const ranges = rangesOf(u.update);
    if (ranges === null) return 'ok';
    if (!this.originals.bind(o.kind === 'gossip' ? o.id.origin : o.seal.origin, ranges)) return 'foreign-client';
    this.originals.keep(u.doc, o, ranges);
    return 'ok';
  }

  /** A held message's seal was checked: evidence, then the link's queue moves on. */
  private checked(l: TrustLink, w: Waiting, v: SealVerdict | 'foreign-client', push: boolean): void {
    if (this.links.get(l.peer) !== l) return;
    if (v === 'foreign-client') {
      // a good seal over edits as another origin's Yjs client: dropped; proof only against the origin itself
      // (a forwarder that bound the client the other way round passes it on in good faith)
      w.verdict = 'bad';
      this.stats.foreignClients++;
      const f = w.f;
      const origin = f.t === F_PUSH ? f.seal?.origin : gossipOf(f)?.id.origin;
      if (origin === l.peer) this.judge.proof(l, PROOF_WEIGHT);
      this.event({ type: 'forged', peer: l.peer, why: 'foreign-client' });
    } else if (v === 'ok') {
      w.verdict = 'ok';
      this.stats.sealsChecked++;
      if (push) this.stats.pushSealsChecked++;
      this.judge.valid(l);
    } else {
      w.verdict = 'bad';
      this.stats.forged++;
      if (push) this.stats.pushesForged++;
      this.judge.proof(l, PROOF_WEIGHT);
      this.event({ type: 'forged', peer: l.peer, why: push ? `push: ${v}` : v });
    }
    this.drain(l);
  }

  /** Hands on the frames at the head of a link's queue whose checks are done. */
  private drain(l: TrustLink): void {
    const q = l.queue;
    let i = 0;
    while (i < q.length && q[i]!.verdict !== 'wait' && this.links.get(l.peer) === l) {
      const w = q[i++]!;
      l.heldBytes -= w.size;
      if (w.verdict === 'ok') this.io.process(l.peer, w.f, w.bytes);
    }
    q.splice(0, i);
  }

  private onMessage(l: TrustLink, m: TrustMsg): void {
    const peer = l.peer;
    if (m.k === T_KEY) return this.onKey(l, m.key, m.proof, m.certs);
    // before its key, a link's trust messages mean nothing
    if (l.auth !== 'ok') return this.io.violation(peer, 'trust: a trust message before the key');
    switch (m.k) {
      case T_PROBE:
        return this.judge.onProbe(l, m.nonce, m.id);
      case T_PROOF:
        return this.judge.onProof(l, m.nonce, m.sig);
      case T_OPINIONS:
        return this.judge.onOpinions(l, m.seq, m.entries);
      case T_PING:
        this.send(peer, { k: T_PONG, nonce: m.nonce });
        return;
      case T_PONG:
        return this.rewiring.onPong(l, m.nonce);
      case T_KIND:
        return this.rewiring.onKind(l, m.random);
    }
  }

  private onKey(l: TrustLink, key: Uint8Array, proof: Uint8Array, named: LinkCerts | null): void {
    const peer = l.peer;
    if (l.auth !== 'pending') return this.io.violation(peer, 'trust: a second key on one link');
    const nonce = this.io.linkNonce(peer);
    if (nonce === undefined) return;
    // the connection as the far end must see it: its certificate is the one we see as theirs, ours as ours
    let certs: LinkCerts | null = null;
    if (this.io.bindsCerts) {
      const mine = this.io.linkCerts(peer);
      if (mine === null) return this.refuse(l, 'trust: no DTLS certificate fingerprints to check the key proof against');
      certs = { from: mine.to, to: mine.from };
      if (named === null) return this.refuse(l, 'trust: the key proof binds no DTLS certificates');
      if (!bytesEqual(named.from, certs.from) || !bytesEqual(named.to, certs.to)) {
        // signed on another connection: someone in between relays it (the signature is not even looked at)
        this.stats.keysRelayed++;
        return this.refuse(l, 'trust: the key proof was made on another DTLS connection (relayed)');
      }
    }
    l.auth = 'checking';
    this.crypto.idOf(key, (id) => {
      if (this.links.get(peer) !== l) return;
      if (id !== peer) return this.refuse(l, `trust: the key is not peer ${peer}'s (it hashes to ${id})`);
      this.crypto.verify(key, linkSigningData(this.io.room, peer, this.io.self, nonce, certs), proof, (ok) => {
        if (this.links.get(peer) !== l) return;
        if (!ok) return this.refuse(l, 'trust: the key proof does not verify');
        l.auth = 'ok';
        l.key = key;
        l.since = this.io.now();
        this.origins.pin(peer, key);
        this.stats.keysProved++;
        this.io.ready(peer);
        this.event({ type: 'trusted', peer });
        this.rewiring.linkReady(l);
        // what it sent while we checked, in order (a gossip message among it is checked in turn)
        const held = l.queue.splice(0);
        l.heldBytes = 0;
        for (const w of held) if (this.links.get(peer) === l) this.inbound(peer, w.f, w.bytes);
      });
    });
  }

  private refuse(l: TrustLink, why: string): void {
    this.stats.keysRefused++;
    this.io.violation(l.peer, why);
  }

  // ---- frames out ---------------------------------------------------------------------------------

  /** A trust message to `peer` (counted). */
  send(peer: number, m: TrustMsg): boolean {
    const ok = this.io.sendRaw(peer, { t: F_TRUST, m });
    if (ok) this.stats.bytesOut += 1 + trustMsgSize(m);
    return ok;
  }

  /** A frame the peer is about to send: remembered for probes, and an attacker's behaviour applied. Null: not sent. */
  outbound(peer: number, f: Frame): Frame | null {
    const l = this.links.get(peer);
    if (l) {
      const now = this.io.now();
      const g = gossipOf(f);
      if (g !== null) l.remember(g.id, now);
      else if (f.t === F_GOSSIP && f.g.type === IHAVE) for (const x of f.g.ids) l.remember(x.id, now);
    }
    return this.attack ? this.attack.outbound(peer, f) : f;
  }

  // ---- sealing our own payloads -------------------------------------------------------------------

  /** A local payload to gossip: sealed with our key and the id it will carry, then spread, in order. */
  broadcast(payload: Uint8Array): void {
    if (this.stopped) return;
    this.sealing.push(payload);
    this.sealNext();
  }

  private sealNext(): void {
    if (this.signing || this.sealing.length === 0 || this.stopped) return;
    this.signing = true;
    const payload = this.sealing[0]!;
    const id: MsgId = this.io.nextId();
    this.crypto.sign(updateSigningData(this.io.room, id, payload), (sig) => {
      this.sealing.shift();
      this.signing = false;
      if (this.stopped) return;
      const sealed = seal(this.crypto.publicKey, sig, payload);
      this.origins.own(id, sig, sealed);
      this.admit({ kind: 'gossip', id, sealed });
      this.io.spread(sealed);
      this.sealNext();
    });
  }

  /**
   * A local update too big for gossip: sealed over the whole update with our key, then handed to `send`
   * (the push to every neighbour). Pushes are signed independently of gossip: they carry no message id.
   */
  sealPush(doc: string, update: Uint8Array, send: (f: PushFrame) => void): void {
    if (this.stopped) return;
    const origin = this.io.self;
    this.crypto.sign(pushSigningData(this.io.room, origin, doc, update), (sig) => {
      if (this.stopped) return;
      this.stats.pushesSealed++;
      const f: PushFrame = { t: F_PUSH, doc, update, seal: { origin, key: this.crypto.publicKey, sig } };
      this.admit({ kind: 'push', seal: f.seal!, update }, doc);
      send(f);
    });
  }

  // ---- anti-entropy -------------------------------------------------------------------------------

  /**
   * A state-vector request from `peer` for `doc`: the kept originals it lacks go first (SYNC_SEALED
   * frames); the returned state vector is the asker's as it will be with them, which the diff that follows
   * is computed against (the part we cannot prove).
   */
  answer(peer: number, doc: string, sv: Uint8Array): Uint8Array {
    const { frames, covered } = this.originals.answer(doc, Y.decodeStateVector(sv));
    for (const items of frames) {
      if (!this.io.sendRaw(peer, { t: F_SYNC_SEALED, doc, items })) break;
      this.stats.originalsOut += items.length;
    }
    return frames.length > 0 ? Y.encodeStateVector(covered) : sv;
  }

  /** Checks every original of a SYNC_SEALED frame; the good ones go on (in the link's order), the bad are proof. */
  private checkOriginals(l: TrustLink, w: Waiting, doc: string, items: SealedOriginal[]): void {
    let pending = items.length;
    const good: boolean[] = new Array<boolean>(items.length).fill(false);
    const done = (i: number, v: SealVerdict | 'foreign-client'): void => {
      if (this.links.get(l.peer) !== l) return;
      if (v === 'ok') {
        good[i] = true;
        this.stats.originalsIn++;
      } else if (v === 'foreign-client') {
        this.stats.foreignClients++;
      } else {
        // a replier keeps only originals that checked out: a bad one is proof against it
        this.stats.forged++;
        this.stats.originalsForged++;
        this.judge.proof(l, PROOF_WEIGHT);
        this.event({ type: 'forged', peer: l.peer, why: `original: ${v}` });
      }
      if (--pending > 0) return;
      const kept = items.filter((_, j) => good[j]);
      w.verdict = kept.length > 0 ? 'ok' : 'bad';
      if (kept.length > 0) w.f = { t: F_SYNC_SEALED, doc, items: kept };
      this.drain(l);
    };
    items.forEach((o, i) => {
      if (o.kind === 'gossip') {
        // an original is a document update of this document, or it is junk
        if (updateOf(o)?.doc !== doc) return done(i, 'unsealed');
        this.origins.check(o.id, o.sealed, (v) => done(i, v === 'ok' ? this.admit(o) : v));
      } else this.origins.checkPush(o.seal, doc, o.update, (v) => done(i, v === 'ok' ? this.admit(o, doc) : v));
    });
  }

  /**
   * Whether to take a SYNC_REPLY from `peer` (called when it is processed, after the originals before it):
   * the diff is the replier's own claim. Structs of a Yjs client bound to another origin are refused (the
   * replier should have sent that origin's sealed originals): the reply is dropped, counted and held
   * against the replier; other structs are taken and counted.
   */
  acceptReply(peer: number, update: Uint8Array): boolean {
    const ranges = rangesOf(update);
    if (ranges === null || ranges.size === 0) return true;
    for (const c of ranges.keys()) {
      const o = this.originals.ownerOf(c);
      if (o !== undefined && o !== peer) {
        this.stats.repliesRefused++;
        const l = this.trusted(peer);
        if (l) this.judge.proof(l, REFUSED_REPLY_WEIGHT);
        this.event({ type: 'forged', peer, why: 'sync reply: edits as another origin' });
        return false;
      }
    }
    this.stats.repliesUnsealed++;
    return true;
  }

  /** The document updates of a checked SYNC_SEALED frame, in order. */
  updatesOf(items: readonly SealedOriginal[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const o of items) {
      const u = updateOf(o, '');
      if (u) out.push(u.update);
    }
    return out;
  }

  // ---- timers -------------------------------------------------------------------------------------

  onTimer(tag: number, data: unknown): void {
    if (this.stopped) return;
    switch (tag) {
      case TT_PERIOD:
        this.io.setTimer(this.o.periodMs, TT_PERIOD);
        if (this.attack) return this.attack.period();
        return this.judge.period();
      case TT_REWIRE:
        this.io.setTimer(this.o.rewiringPeriodMs, TT_REWIRE);
        return this.rewiring.period();
      case TT_PROBE:
        return this.judge.probeTimeout(data as number);
      case TT_AUTH: {
        const l = data as TrustLink;
        if (this.links.get(l.peer) === l && l.auth !== 'ok') this.refuse(l, `trust: no key within ${this.o.authTimeoutMs} ms`);
        return;
      }
      case TT_SPAM:
        return this.attack?.spam();
    }
  }

  event(e: TrustEvent): void {
    this.io.event(e);
  }
}

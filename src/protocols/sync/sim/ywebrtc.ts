/**
 * A model of the stock y-webrtc provider (y-webrtc 10.3.0, src/y-webrtc.js), the baseline of the
 * `ywebrtc` mode, one per simulated peer over the same room model (room.ts) as the sync peer:
 *
 * - On joining it subscribes and announces itself on the signaling server (if it has fewer than
 *   `maxConns` connections, 20 + a random 0..14 by default). Every peer that hears an announce and has
 *   fewer than its maxConns connections opens one to the announcer; an incoming offer is always accepted
 *   (y-webrtc checks no limit there). Offers and answers go through the server, each followed by one
 *   trickled ICE candidate (simple-peer's default).
 * - Glare (both offered): the offer with the larger glare token is rejected by its receiver, whose own
 *   connection then answers the other offer, as y-webrtc intends. (Stock y-webrtc can also leave both
 *   ends stuck or deaf here, see docs/live.md; that is not modelled.)
 * - On every new connection it sends sync step 1 (its state vector) and all awareness states; a step 1 is
 *   answered with step 2 (what the other lacks). Every update that changes its document (a local edit, an
 *   update or a step 2 from anyone) is sent to every open connection, the one it came from included;
 *   awareness the same way.
 * - A connection that closes (or fails) is dropped and the peer announces itself again. A dead end is
 *   noticed by ICE consent freshness: nothing heard for `ywebrtcTimeoutMs` (~30 s in browsers); the
 *   consent checks themselves (a small packet every 5 s each way) are counted as control traffic.
 */
import * as Y from 'yjs';
import type { PeerId } from '../../../core/index.js';
import { varUintLen } from '../../gossip/index.js';
import { applyCapturing } from '../docs.js';
import type { LinkSignal } from '../wire/frames.js';
import type { SimAwareness } from './awareness.js';
import type { Meter } from './measure.js';
import type { SyncParams } from './params.js';
import type { RoomPeer, RoomSignal, SimRoom } from './room.js';

export type YMsg =
  | { t: 'step1'; sv: Uint8Array }
  | { t: 'step2'; update: Uint8Array }
  | { t: 'update'; update: Uint8Array }
  | { t: 'awareness'; update: Uint8Array }
  | { t: 'consent' };

/** Bytes on the wire: y-webrtc's messageSync/messageAwareness framing (lib0 varints), or a STUN check. */
export function ymsgSize(m: YMsg): number {
  switch (m.t) {
    case 'step1':
      return 2 + varUintLen(m.sv.length) + m.sv.length;
    case 'step2':
    case 'update':
      return 2 + varUintLen(m.update.length) + m.update.length;
    case 'awareness':
      return 1 + varUintLen(m.update.length) + m.update.length;
    case 'consent':
      return 60;
  }
}

const T_CONSENT = 1;
const CONSENT_MS = 5000;

interface Conn {
  initiator: boolean;
  /** Set when this connection sent its first signal (Date.now() + Math.random() in y-webrtc). */
  glareToken: number | undefined;
  nonce: string;
  open: boolean;
  lastHeard: number;
}

export class YWebrtcPeer implements RoomPeer<YMsg> {
  private readonly conns = new Map<PeerId, Conn>();
  readonly maxConns: number;
  private stopped = false;

  constructor(
    readonly id: PeerId,
    private readonly room: SimRoom<YMsg>,
    readonly doc: Y.Doc,
    private readonly awareness: SimAwareness | null,
    private readonly meter: Meter,
    private readonly params: SyncParams,
  ) {
    this.maxConns = params.maxConnsBase + Math.floor(room.rng.float() * (params.maxConnsRandom + 1));
  }

  get connections(): number {
    return this.conns.size;
  }

  openPeers(): PeerId[] {
    const out: PeerId[] = [];
    for (const [p, c] of this.conns) if (c.open) out.push(p);
    return out;
  }

  start(): void {
    this.announce();
    this.room.setTimer(this.id, CONSENT_MS * this.room.rng.float(), T_CONSENT);
  }

  stop(): void {
    this.stopped = true;
    for (const p of [...this.conns.keys()]) this.room.closeLink(this.id, p);
    this.conns.clear();
  }

  private announce(): void {
    if (this.stopped || this.conns.size >= this.maxConns) return;
    this.room.publish(this.id, { type: 'announce', from: this.id });
  }

  private signal(to: PeerId, c: Conn, kind: 'offer' | 'answer'): void {
    if (c.glareToken === undefined) c.glareToken = this.room.now() + this.room.rng.float();
    // the description, then one trickled candidate
    this.room.publish(this.id, { type: 'ysignal', from: this.id, to, kind, token: c.glareToken, nonce: c.nonce });
    this.room.publish(this.id, { type: 'ysignal', from: this.id, to, kind: 'candidate', token: c.glareToken, nonce: c.nonce });
  }

  heedsOffersTo(): boolean {
    return false; // y-webrtc peers neither say hello nor count others' offers
  }

  onSignaling(m: RoomSignal): void {
    if (this.stopped) return;
    if (m.type === 'announce') {
      if (m.from !== this.id && this.conns.size < this.maxConns && !this.conns.has(m.from)) this.connect(m.from, true);
      return;
    }
    if (m.type !== 'ysignal' || m.to !== this.id || m.kind === 'candidate') return;
    const existing = this.conns.get(m.from);
    if (m.kind === 'offer') {
      if (existing) {
        if (existing.open) return;
        if (existing.glareToken !== undefined && existing.glareToken > m.token) return; // rejected
        // glare lost: our connection answers theirs instead
        this.room.closeLink(this.id, m.from);
        this.conns.delete(m.from);
      }
      const c = this.connect(m.from, false);
      c.nonce = m.nonce;
      this.room.remoteSignal(this.id, m.from, { kind: 'offer', nonce: m.nonce, sdp: '', link: 'bootstrap' });
    } else if (existing && existing.initiator && !existing.open && existing.nonce === m.nonce) {
      existing.glareToken = undefined;
      this.room.remoteSignal(this.id, m.from, { kind: 'answer', nonce: m.nonce, sdp: '', link: 'bootstrap' });
    }
  }

  private connect(peer: PeerId, initiator: boolean): Conn {
    const c: Conn = { initiator, glareToken: undefined, nonce: '', open: false, lastHeard: this.room.now() };
    this.conns.set(peer, c);
    this.room.openLink(this.id, peer, initiator);
    return c;
  }

  onLocalSignal(peer: PeerId, sig: LinkSignal): void {
    const c = this.conns.get(peer);
    if (!c || c.open || this.stopped) return;
    if (sig.kind === 'offer') c.nonce = sig.nonce;
    this.signal(peer, c, sig.kind === 'offer' ? 'offer' : 'answer');
  }

  onLinkOpen(peer: PeerId): void {
    const c = this.conns.get(peer);
    if (!c || this.stopped) return;
    c.open = true;
    c.lastHeard = this.room.now();
    this.meter.linkUp(this.id, peer);
    this.send(peer, { t: 'step1', sv: Y.encodeStateVector(this.doc) });
    const all = this.awareness?.all();
    if (all) this.send(peer, { t: 'awareness', update: all });
  }

  onLinkClosed(peer: PeerId): void {
    const c = this.conns.get(peer);
    if (!c) return;
    this.conns.delete(peer);
    this.room.closeLink(this.id, peer);
    if (c.open) this.meter.linkDown(this.id, peer);
    this.announce();
  }

  private send(peer: PeerId, m: YMsg): void {
    const bytes = ymsgSize(m);
    this.meter.sent(this.id, m.t === 'awareness' ? 'awareness' : m.t === 'consent' ? 'control' : m.t === 'update' ? 'updates' : 'antiEntropy', bytes);
    this.room.send(this.id, peer, m, bytes);
  }

  /** What y-webrtc's doc update handler does: the update to every connection. */
  private broadcast(m: YMsg): void {
    for (const [p, c] of this.conns) if (c.open) this.send(p, m);
  }

  onMessage(from: PeerId, m: YMsg, bytes: number): void {
    const c = this.conns.get(from);
    if (!c?.open || this.stopped) return;
    c.lastHeard = this.room.now();
    this.meter.received(this.id, bytes, m.t !== 'consent' && m.t !== 'awareness');
    switch (m.t) {
      case 'step1':
        this.send(from, { t: 'step2', update: Y.encodeStateAsUpdate(this.doc, m.sv) });
        return;
      case 'step2':
      case 'update': {
        const fresh = applyCapturing(this.doc, m.update);
        if (fresh) {
          this.meter.changed(this.id);
          this.broadcast({ t: 'update', update: fresh });
        }
        return;
      }
      case 'awareness': {
        const fresh = this.awareness?.apply(m.update);
        if (fresh) this.broadcast({ t: 'awareness', update: fresh });
        return;
      }
      case 'consent':
        return;
    }
  }

  /** A local edit (its update) or cursor move. */
  localUpdate(update: Uint8Array): void {
    this.broadcast({ t: 'update', update });
  }

  localAwareness(update: Uint8Array): void {
    this.broadcast({ t: 'awareness', update });
  }

  onTimer(tag: number): void {
    if (tag !== T_CONSENT || this.stopped) return;
    this.room.setTimer(this.id, CONSENT_MS, T_CONSENT);
    const now = this.room.now();
    for (const [p, c] of [...this.conns]) {
      if (!c.open) continue;
      if (now - c.lastHeard > this.params.ywebrtcTimeoutMs) this.onLinkClosed(p);
      else this.send(p, { t: 'consent' });
    }
  }
}

/**
 * A deterministic in-memory network for sync peers, in the spirit of Yjs's test connector: every peer is
 * a real SyncPeer with a real Y.Doc; links, a signaling server and time are simulated here, driven by one
 * seeded Rng, so a run is replayed exactly from its seed.
 *
 * - Links are negotiated for real (offer / answer / busy through signaling or relayed through the
 *   overlay); a link opens a couple of latencies after its answer arrives, and only if both ends still
 *   want it and no partition separates them.
 * - Frames take a random latency each; per link they stay in order (a data channel is ordered), across
 *   links they interleave at random. `dropRate` loses frames, `dupRate` delivers a frame twice.
 * - In `wire` mode every frame crosses the real codec and chunking (small chunks, so chunking is
 *   exercised) and a frame that fails to decode closes its link as a violation, as live.
 * - Faults: crash (silent: the others must notice by heartbeat), graceful leave, restart (a new SyncPeer on
 *   the same document: it was persisted), cut a link, partition into groups, stop the signaling server.
 * - `certs`: links carry model DTLS certificates (one per connection end), as live WebRTC's do, so trust
 *   KEY proofs bind them; `certs.relayed` names pairs whose connections a man in the middle splices (each
 *   end sees the middle's certificate as the far end's).
 */
import * as Y from 'yjs';
import { hash32, Rng, type PeerId } from '../../../src/core/index.js';
import {
  createSyncCodec,
  LinkFraming,
  SyncPeer,
  SyncWireError,
  SYNC_ORIGIN,
  type Frame,
  type LinkSignal,
  type SignalingMsg,
  type SyncContext,
  type SyncEvent,
  type SyncHost,
  type SyncOptions,
  type SyncCodec,
  type TrafficClass,
  type PeerTrust,
} from '../../../src/protocols/sync/index.js';

export interface TestNetOptions {
  seed: number;
  /** Options of every peer (room is filled in). */
  peer?: Partial<SyncOptions>;
  /** One-way latency range of a link, ms. Default [1, 30]. */
  latency?: [number, number];
  /** Latency of the signaling server (each way), ms. Default [5, 20]. */
  signalingLatency?: [number, number];
  dropRate?: number;
  dupRate?: number;
  /** Encode every frame (codec + chunking). Default false. */
  wire?: boolean;
  /** Chunk size in wire mode. Default 200 bytes. */
  chunkBytes?: number;
  /** Trust on for a peer: its keys and trust options (undefined: trust off for it). */
  trust?: (id: PeerId) => PeerTrust | undefined;
  /** One-way latency between two peers, ms (a fixed map of distances); frames add up to 1 ms of jitter. Default: `latency` per frame. */
  pairLatency?: (a: PeerId, b: PeerId) => number;
  /** Model DTLS certificates on links (default: none, like the simulator). */
  certs?: { relayed?: (a: PeerId, b: PeerId) => boolean };
}

/** The model certificate fingerprint of one end of a connection (SHA-256-sized, distinct per end). */
function modelCert(owner: number, gen: number): Uint8Array {
  const c = new Uint8Array(33);
  c[0] = 3;
  const v = new DataView(c.buffer);
  for (let i = 0; i < 8; i++) v.setUint32(1 + 4 * i, hash32((owner ^ Math.imul(gen, 0x9e3779b9)) >>> 0, i));
  return c;
}

/** Where a man in the middle stands: its certificates are its own. */
const MIDDLE = 0xfffffffe;

interface Ev {
  at: number;
  seq: number;
  fn: () => void;
}

/** A binary min-heap of events by (time, insertion order): same seed, same order. */
class EventQueue {
  private heap: Ev[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(at: number, fn: () => void): Ev {
    const e = { at, seq: this.seq++, fn };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
    return e;
  }
  peek(): Ev | undefined {
    return this.heap[0];
  }
  pop(): Ev | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
      if (less(last, h[c]!)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

function less(a: Ev, b: Ev): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

interface Transport {
  initiator: boolean;
  nonce: string;
  open: boolean;
  /** Time the last frame on this direction is due (frames stay in order). */
  lastDue: number;
  framing: LinkFraming | null;
  gen: number;
  /** The other end's transport this one is connected to. */
  peerGen: number;
}

export class TestPeer {
  sync!: SyncPeer;
  readonly transports = new Map<PeerId, Transport>();
  alive = true;
  epoch = 0;
  published = 0;
  /** Signaling messages published after this peer's first link opened. */
  publishedAfterLink = 0;
  hadLink = false;
  readonly events: SyncEvent[] = [];
  bytesOut = new Map<TrafficClass, number>();
  constructor(
    readonly id: PeerId,
    readonly doc: Y.Doc,
  ) {}
  get text(): string {
    return this.doc.getText('text').toString();
  }
}

export class TestNet {
  readonly rng: Rng;
  readonly peers = new Map<PeerId, TestPeer>();
  now = 0;
  signalingUp = true;
  /** Peer -> group; peers in different groups cannot exchange frames or open links. */
  groups: Map<PeerId, number> | null = null;
  /** Pairs of peers that cannot reach each other (a NAT neither side gets through), besides `groups`. */
  apart: ((a: PeerId, b: PeerId) => boolean) | null = null;
  private readonly q = new EventQueue();
  private readonly codec: SyncCodec;
  private gen = 0;
  violations = 0;
  readonly o: Required<Omit<TestNetOptions, 'peer' | 'trust' | 'pairLatency' | 'certs'>> & Pick<TestNetOptions, 'trust' | 'pairLatency' | 'certs'> & { peer: Partial<SyncOptions> };

  /** Frames this returns true for are lost (a test's targeted loss). */
  lose: ((from: PeerId, to: PeerId, f: Frame) => boolean) | null = null;

  constructor(opts: TestNetOptions) {
    this.o = {
      seed: opts.seed,
      peer: opts.peer ?? {},
      latency: opts.latency ?? [1, 30],
      signalingLatency: opts.signalingLatency ?? [5, 20],
      dropRate: opts.dropRate ?? 0,
      dupRate: opts.dupRate ?? 0,
      wire: opts.wire ?? false,
      chunkBytes: opts.chunkBytes ?? 200,
      trust: opts.trust,
      pairLatency: opts.pairLatency,
      certs: opts.certs,
    };
    this.rng = new Rng(opts.seed);
    this.codec = createSyncCodec({ idBits: opts.peer?.idBits ?? 64 });
  }

  private lat([lo, hi]: [number, number]): number {
    return lo + this.rng.float() * (hi - lo);
  }

  private at(delay: number, fn: () => void): void {
    this.q.push(this.now + Math.max(0, delay), fn);
  }

  separated(a: PeerId, b: PeerId): boolean {
    if (this.apart?.(a, b) === true) return true;
    return this.groups !== null && (this.groups.get(a) ?? 0) !== (this.groups.get(b) ?? 0);
  }

  // ---- peers --------------------------------------------------------------------------------------

  /** A new peer (or `id` restarting with its persisted document). */
  add(id: PeerId, doc = new Y.Doc()): TestPeer {
    let tp = this.peers.get(id);
    if (tp && tp.alive) throw new Error(`peer ${id} is already up`);
    if (!tp) {
      tp = new TestPeer(id, doc);
      this.peers.set(id, tp);
    }
    const p = tp;
    p.alive = true;
    p.epoch++;
    p.transports.clear();
    const epoch = p.epoch;
    const net = this;
    let nextTimer = 1;
    const cancelled = new Set<number>();
    const ctx: SyncContext = {
      id,
      rng: this.rng.fork(`peer${id}:${epoch}`),
      now: () => net.now,
      setTimer(delay, tag, data) {
        const tid = nextTimer++;
        net.at(delay, () => {
          if (cancelled.delete(tid) || !p.alive || p.epoch !== epoch) return;
          p.sync.onTimer(tag, data);
        });
        return tid;
      },
      cancelTimer(tid) {
        cancelled.add(tid);
        return true;
      },
      emit() {},
    };
    p.sync = new SyncPeer(ctx, this.host(p, epoch), { room: 'testroom', ...this.o.peer }, {}, undefined, this.o.trust?.(id));
    p.sync.openDoc('text', p.doc);
    p.sync.start();
    return p;
  }

  private host(p: TestPeer, epoch: number): SyncHost {
    const net = this;
    const live = (): boolean => p.alive && p.epoch === epoch;
    return {
      publish(m: SignalingMsg) {
        if (!live()) return;
        p.published++;
        if (p.hadLink) p.publishedAfterLink++;
        if (!net.signalingUp) return;
        const up = net.lat(net.o.signalingLatency);
        for (const q of net.peers.values()) {
          if (q === p || !q.alive) continue;
          const qe = q.epoch;
          net.at(up + net.lat(net.o.signalingLatency), () => {
            if (q.alive && q.epoch === qe) q.sync.onSignaling(m);
          });
        }
      },
      signalingUp: () => net.signalingUp,
      openLink(peer, initiator) {
        if (!live()) return;
        const t: Transport = { initiator, nonce: '', open: false, lastDue: net.now, framing: net.o.wire ? new LinkFraming(net.codec, { chunkBytes: net.o.chunkBytes }) : null, gen: ++net.gen, peerGen: -1 };
        p.transports.set(peer, t);
        if (initiator) {
          t.nonce = net.rng.nextU32().toString(16);
          net.at(1, () => {
            if (live() && p.transports.get(peer) === t) p.sync.onLocalSignal(peer, { kind: 'offer', nonce: t.nonce, sdp: 'v=0 offer', link: 'bootstrap' });
          });
        }
      },
      remoteSignal(peer, sig: LinkSignal) {
        const t = p.transports.get(peer);
        if (!t || !live()) return;
        if (sig.kind === 'offer' && !t.initiator) {
          t.nonce = sig.nonce;
          net.at(1, () => {
            if (live() && p.transports.get(peer) === t) p.sync.onLocalSignal(peer, { kind: 'answer', nonce: t.nonce, sdp: 'v=0 answer', link: 'bootstrap' });
          });
        } else if (sig.kind === 'answer' && t.initiator && sig.nonce === t.nonce) net.connect(p, peer, t);
      },
      send(peer, frame: Frame, bytes, cls) {
        const t = p.transports.get(peer);
        if (!t?.open || !live()) return;
        p.bytesOut.set(cls, (p.bytesOut.get(cls) ?? 0) + bytes);
        net.transmit(p, peer, t, frame);
      },
      ...(net.o.certs ? { linkCerts: (peer: PeerId) => net.linkCerts(p, peer) } : {}),
      closeLink(peer) {
        const t = p.transports.get(peer);
        if (!t) return;
        p.transports.delete(peer);
        // the other end's channel closes a latency later (SCTP shutdown); a negotiation that never
        // connected tells the other side nothing
        const q = net.peers.get(peer);
        const qt = q?.transports.get(p.id);
        if (!q || !qt || !t.open || qt.peerGen !== t.gen) return;
        net.at(net.lat(net.o.latency), () => {
          if (q.alive && q.transports.get(p.id) === qt) {
            q.transports.delete(p.id);
            q.sync.onLinkClosed(p.id, 'remote');
          }
        });
      },
      event(e) {
        p.events.push(e);
        if (e.type === 'link-up') p.hadLink = true;
        if (e.type === 'violation') net.violations++;
      },
    };
  }

  /** `p`'s view of its open connection to `peer`: its own certificate, and the far end's (the middle's, if relayed). */
  private linkCerts(p: TestPeer, peer: PeerId): { from: Uint8Array; to: Uint8Array } | null {
    const t = p.transports.get(peer);
    if (!t?.open) return null;
    const relayed = this.o.certs?.relayed?.(p.id, peer) ?? false;
    return { from: modelCert(p.id, t.gen), to: relayed ? modelCert(MIDDLE, t.gen) : modelCert(peer, t.peerGen) };
  }

  /** The answer reached the initiator: the channel opens at both ends after ICE and DTLS (~2 RTT). */
  private connect(a: TestPeer, bId: PeerId, ta: Transport): void {
    const rtt = 2 * this.lat(this.o.latency);
    this.at(2 * rtt, () => {
      const b = this.peers.get(bId);
      const tb = b?.transports.get(a.id);
      if (!b || !tb || !a.alive || !b.alive || a.transports.get(bId) !== ta || tb.initiator || tb.nonce !== ta.nonce || this.separated(a.id, bId)) return;
      ta.open = tb.open = true;
      ta.peerGen = tb.gen;
      tb.peerGen = ta.gen;
      ta.lastDue = tb.lastDue = this.now;
      a.sync.onLinkOpen(bId);
      if (b.transports.get(a.id) === tb) b.sync.onLinkOpen(a.id);
    });
  }

  private transmit(from: TestPeer, to: PeerId, t: Transport, frame: Frame): void {
    if (this.lose?.(from.id, to, frame) === true) return;
    if (this.rng.chance(this.o.dropRate)) return;
    const copies = this.rng.chance(this.o.dupRate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const msgs = t.framing ? t.framing.encode(frame) : [frame];
      if (msgs === null) continue;
      for (const m of msgs) {
        const base = this.o.pairLatency ? this.o.pairLatency(from.id, to) + this.rng.float() : this.lat(this.o.latency);
        const due = Math.max(t.lastDue, this.now + base);
        t.lastDue = due;
        const gen = t.gen;
        this.q.push(due, () => this.receive(from, to, gen, m));
      }
    }
  }

  private receive(from: TestPeer, toId: PeerId, gen: number, m: Frame | Uint8Array): void {
    const to = this.peers.get(toId);
    if (!to?.alive || this.separated(from.id, toId)) return;
    // frames of an earlier link between the two are not delivered on a later one
    const t = to.transports.get(from.id);
    if (!t?.open || t.peerGen !== gen) return;
    if (!(m instanceof Uint8Array)) return to.sync.onFrame(from.id, m);
    let got: { frame: Frame; bytes: number } | null;
    try {
      got = t.framing!.decode(m);
    } catch (e) {
      if (!(e instanceof SyncWireError)) throw e;
      to.transports.delete(from.id);
      to.sync.onLinkClosed(from.id, `violation: ${e.message}`);
      return;
    }
    if (got) to.sync.onFrame(from.id, got.frame, got.bytes);
  }

  /** Puts a frame (object, or raw bytes in wire mode) on `from`'s open link to `to`, as if `from` sent it. */
  inject(from: PeerId, to: PeerId, m: Frame | Uint8Array): void {
    const p = this.peers.get(from)!;
    const t = p.transports.get(to);
    if (!t?.open) throw new Error(`no open link ${from} -> ${to}`);
    const gen = t.gen;
    const due = Math.max(t.lastDue, this.now + 1);
    t.lastDue = due;
    this.q.push(due, () => this.receive(p, to, gen, m));
  }

  // ---- faults -------------------------------------------------------------------------------------

  /** Silent death: nobody is told; the others notice by heartbeat. */
  crash(id: PeerId): void {
    const p = this.peers.get(id);
    if (!p?.alive) return;
    p.alive = false;
    p.transports.clear();
  }

  /** Graceful leave (BYE on every link). */
  leave(id: PeerId): void {
    const p = this.peers.get(id);
    if (!p?.alive) return;
    p.sync.stop(true);
    p.alive = false;
  }

  /** A link fails at both ends (both transports report it). */
  cut(a: PeerId, b: PeerId): void {
    const pa = this.peers.get(a);
    const pb = this.peers.get(b);
    for (const [x, y] of [[pa, b], [pb, a]] as [TestPeer | undefined, PeerId][]) {
      if (x?.alive && x.transports.has(y)) {
        x.transports.delete(y);
        x.sync.onLinkClosed(y, 'failed');
      }
    }
  }

  partition(groupOf: (p: PeerId) => number): void {
    this.groups = new Map([...this.peers.keys()].map((p) => [p, groupOf(p)]));
  }

  heal(): void {
    this.groups = null;
  }

  // ---- editing and running ------------------------------------------------------------------------

  /** A local edit at `id`: a word inserted or a few characters deleted at a random place. */
  edit(id: PeerId): void {
    const p = this.peers.get(id);
    if (!p?.alive) return;
    const text = p.doc.getText('text');
    let update: Uint8Array | null = null;
    const f = (u: Uint8Array, origin: unknown): void => {
      if (origin !== SYNC_ORIGIN) update = u;
    };
    p.doc.on('update', f);
    if (text.length > 4 && this.rng.chance(0.3)) {
      const at = this.rng.int(text.length);
      text.delete(at, Math.min(1 + this.rng.int(4), text.length - at));
    } else text.insert(this.rng.int(text.length + 1), `${id.toString(36)}${this.rng.int(1000)} `);
    p.doc.off('update', f);
    if (update) p.sync.localUpdate('text', update);
  }

  /** Runs virtual time forward by `ms` (events due in that time, in order). */
  run(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const e = this.q.peek();
      if (!e || e.at > until) break;
      this.q.pop();
      this.now = Math.max(this.now, e.at);
      e.fn();
    }
    this.now = until;
  }

  alivePeers(): TestPeer[] {
    return [...this.peers.values()].filter((p) => p.alive);
  }

  /** Every live replica holds the same text and state vector. */
  converged(): boolean {
    const ps = this.alivePeers();
    if (ps.length === 0) return true;
    const text = ps[0]!.text;
    const sv = Buffer.from(Y.encodeStateVector(ps[0]!.doc)).toString('hex');
    return ps.every((p) => p.text === text && Buffer.from(Y.encodeStateVector(p.doc)).toString('hex') === sv);
  }

  /** Each peer's state, for a failing run's report. */
  dump(): string {
    const lines: string[] = [`t=${this.now.toFixed(0)} signaling=${this.signalingUp} groups=${this.groups ? 'split' : 'whole'} violations=${this.violations}`];
    for (const p of this.peers.values()) {
      const s = p.sync;
      const sv = [...Y.decodeStateVector(Y.encodeStateVector(p.doc))].map(([c, k]) => `${c % 1000}:${k}`).join(',');
      lines.push(
        `  ${p.id} ${p.alive ? 'up' : 'down'} links=[${s.linkKinds().map((l) => `${l.peer}${l.kind[0]}`).join(' ')}] opening=[${[...s.links.values()].filter((l) => !l.open).map((l) => `${l.peer}${l.kind[0]}${l.initiator ? '>' : '<'}${l.channel.via[0]}@${(this.now - l.startedAt).toFixed(0)}`).join(' ')}] healing=${s.view.healing} transports=${p.transports.size} ` +
          `pub=${p.published} sv=${sv} len=${p.text.length} viol=${p.events.filter((e) => e.type === 'violation').map((e) => (e as { reason: string }).reason).join('|')}`,
      );
    }
    return lines.join('\n');
  }

  /** The live peers' link graph is connected. */
  connected(): boolean {
    const ps = this.alivePeers();
    if (ps.length <= 1) return true;
    const seen = new Set<PeerId>([ps[0]!.id]);
    const stack = [ps[0]!.id];
    while (stack.length) {
      const x = this.peers.get(stack.pop()!)!;
      for (const l of x.sync.links.openLinks())
        if (!seen.has(l.peer) && this.peers.get(l.peer)?.alive) {
          seen.add(l.peer);
          stack.push(l.peer);
        }
    }
    return seen.size === ps.length;
  }
}

/**
 * One simulated sync run: the room (room.ts) with a peer per online slot in the chosen mode (the sync
 * peer for `overlay` and `flood`, the y-webrtc model for `ywebrtc`), every replica a real Y.Doc that
 * persists across its peer's sessions, the edit workload, late joiners, and the meter.
 *
 * Sessions: peers online at the start begin at random times in the first `joinWindowMs`; the last
 * `joiners` slots are taken offline at the start and join at `joinAtMs`; a peer that churn brings
 * online begins at once. Editors are the first `editors` peers of a seeded shuffle of the starting ones.
 */
import * as Y from 'yjs';
import type { PeerId, Rng } from '../../../core/index.js';
import { markImmutableClass, markStatic, rebuildable, type World } from '../../../sim/index.js';
import { newDiscoveryStats, type DiscoveryStats } from '../discovery/discovery.js';
import { SYNC_ORIGIN } from '../docs.js';
import { newSyncStats, type SyncStats } from '../host.js';
import { nodeIdOf } from '../ids.js';
import { newRelayStats, type RelayStats } from '../relay/relay.js';
import { newStats as newPlumtreeStats, type PlumtreeStats } from '../../gossip/index.js';
import { createSyncCodec } from '../wire/codec.js';
import type { Frame } from '../wire/frames.js';
import { SimAwareness } from './awareness.js';
import { Meter } from './measure.js';
import type { SyncParams, SyncWorkload } from './params.js';
import { SimSyncPeer } from './peers.js';
import { SimRoom, type RoomHooks } from './room.js';
import { YWebrtcPeer, type YMsg } from './ywebrtc.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export type AnyPeer = SimSyncPeer | YWebrtcPeer;

/**
 * A replica's Y.Doc, whose Yjs client id is always a small integer. A plain Y.Doc starts with a random
 * 32-bit id, so V8 keeps every Doc's clientID as a double; a local edit then hands that double to a new
 * Yjs ID, and from then on V8 boxes the fields of every ID in the process (~40 KB per replica of a
 * 1,000-edit document). The id lives behind an accessor that keeps it within V8's small integers (the
 * constructor's random id is cut to 30 bits; replicas are then given their own small ids).
 */
export class SimDoc extends Y.Doc {
  static {
    Object.defineProperty(SimDoc.prototype, 'clientID', {
      get(this: { sid: number }): number {
        return this.sid;
      },
      set(this: { sid: number }, v: number): void {
        this.sid = v & 0x3fffffff;
      },
    });
  }
}

const newSimDoc = markStatic((): SimDoc => new SimDoc());

// Yjs changes an ID (its clock) only while decoding a struct, before the struct is integrated; the ids
// of integrated structs and of their origins never change, so keyframes share them (a third of a
// replica's objects)
markImmutableClass(Y.ID.prototype);

export class SyncRunState {
  readonly room: SimRoom<Frame> | SimRoom<YMsg>;
  readonly meter: Meter;
  readonly docs: (Y.Doc | undefined)[];
  readonly awareness: (SimAwareness | undefined)[];
  readonly shared: { sync: SyncStats; relay: RelayStats; discovery: DiscoveryStats; plumtree: PlumtreeStats };
  readonly editors: PeerId[] = [];
  readonly joiners = new Set<PeerId>();
  editsMade = 0;
  editsSkipped = 0;
  private setup = true;
  private readonly editKind: number;
  private readonly beginKind: number;
  private readonly sampleKind: number;
  private readonly editRng: Rng;
  /** Sampled series. */
  readonly series = { t: [] as number[], synced: [] as number[], lag: [] as number[], links: [] as number[], edits: [] as number[] };
  readonly lastEditAt: number;
  private sortedIds: { peer: PeerId; hi: number; lo: number }[] | null = null;
  readonly sampleMs = 1000;

  constructor(
    readonly world: World,
    readonly params: SyncParams,
    readonly workload: SyncWorkload,
    readonly rng: Rng,
    /** Yjs client ids are clientBase + slot + 1 (two populations in one live room need distinct ones). */
    readonly clientBase = 0,
  ) {
    const n = world.size;
    const sim = world.sim;
    this.docs = new Array(n);
    this.awareness = new Array(n);
    this.meter = new Meter(n, () => sim.now);
    this.shared = { sync: newSyncStats(), relay: newRelayStats(), discovery: newDiscoveryStats(), plumtree: newPlumtreeStats() };
    this.editRng = rng.fork('sync:edits');
    const self = this;
    if (params.mode === 'ywebrtc') {
      const hooks: RoomHooks<YMsg> = {
        make: (p) => new YWebrtcPeer(p, this.room as SimRoom<YMsg>, this.docOf(p), this.awarenessOf(p), this.meter, params),
        neighbourhood: () => [],
        joined: (p) => self.joined(p),
        begun: (p) => self.meter.begin(p, self.docOf(p), self.joiners.has(p)),
        ended: (p) => self.meter.end(p),
      };
      this.room = new SimRoom<YMsg>(world, params, rng.fork('sync:room'), hooks);
    } else {
      // one codec for every peer (it only sizes frames here; it holds no state)
      const codec = createSyncCodec({ idBits: params.idBits, maxContacts: Math.max(32, params.k) });
      const options = {
        room: params.room ?? 'room',
        dissemination: params.mode === 'flood' ? ('flood' as const) : ('plumtree' as const),
        degree: params.degree,
        maxLinks: params.maxLinks,
        bootstrapLinks: params.bootstrapLinks,
        shuffleMs: params.shuffleMs,
        antiEntropyMs: params.antiEntropyMs,
        tickMs: params.tickMs,
        heartbeatMs: params.heartbeatMs,
        deadLinkMs: params.deadLinkMs,
        connectTimeoutMs: params.connectTimeoutMs,
        helloMs: params.helloMs,
        helloAnswerMs: params.helloAnswerMs,
        idBits: params.idBits,
        k: params.k,
        alpha: params.alpha,
        rpcTimeoutMs: params.rpcTimeoutMs,
        graftTimeoutMs: params.graftTimeoutMs,
        lazyDelayMs: params.lazyDelayMs,
        lazyFanout: params.lazyFanout,
        maxGossipBytes: params.maxGossipBytes,
        // simulated peers trust each other's bytes (they are objects): skip decoding updates twice
        validate: false,
      };
      const hooks: RoomHooks<Frame> = {
        make: (p) => new SimSyncPeer(p, this.room as SimRoom<Frame>, this.docOf(p), this.awarenessOf(p), this.meter, options, this.shared, codec),
        neighbourhood: (p) => this.neighbourhood(p),
        joined: (p) => self.joined(p),
        begun: (p) => self.meter.begin(p, self.docOf(p), self.joiners.has(p)),
        ended: (p) => self.meter.end(p),
      };
      this.room = new SimRoom<Frame>(world, params, rng.fork('sync:room'), hooks);
    }
    world.add(this.room as SimRoom<unknown>);
    this.beginKind = sim.register((p) => (this.room as SimRoom<unknown>).begin(p));
    this.editKind = sim.register(() => this.step());
    this.sampleKind = sim.register(() => this.sample());

    // who edits, who joins late, and when the others begin
    const start: PeerId[] = [];
    for (let p = 0; p < n; p++) if (world.alive[p] === 1) start.push(p);
    const late = Math.min(workload.joiners, Math.max(0, start.length - 1));
    for (let i = 0; i < late; i++) {
      const p = start.pop() as PeerId;
      this.joiners.add(p);
      world.leave(p, false);
    }
    const order = rng.fork('sync:editors').shuffle([...start]);
    this.editors = order.slice(0, Math.min(workload.editors, order.length));
    this.meter.setEditors(this.editors.map((p) => this.clientOf(p)));
    for (const p of start) sim.schedule(rng.float() * workload.joinWindowMs, this.beginKind, p);
    // the edits: exponential gaps after startMs
    let t = workload.startMs;
    this.edits = [];
    for (let i = 0; i < workload.edits; i++) {
      if (i > 0) t += workload.intervalMs > 0 ? this.editRng.exponential(workload.intervalMs) : 0;
      this.edits.push(t);
    }
    this.lastEditAt = this.edits.length ? this.edits[this.edits.length - 1]! : workload.startMs;
    if (this.edits.length) sim.at(this.edits[0]!, this.editKind, 0);
    const joinAt = workload.joinAtMs ?? this.lastEditAt + 10_000;
    const joinKind = sim.register((p) => world.join(p));
    for (const p of this.joiners) sim.at(joinAt + rng.float() * 1000, joinKind, p);
    sim.schedule(0, this.sampleKind, 0);
    this.setup = false;
  }

  private readonly edits: number[];

  /** Yjs client id of a slot's replica (deterministic). */
  clientOf(peer: PeerId): number {
    return this.clientBase + peer + 1;
  }

  docOf(peer: PeerId): Y.Doc {
    let d = this.docs[peer];
    if (!d) {
      // a Y.Doc's construction wires handlers of its own: a keyframe restore makes it again so
      d = rebuildable(newSimDoc);
      d.clientID = this.clientOf(peer);
      this.docs[peer] = d;
    }
    return d;
  }

  private awarenessOf(peer: PeerId): SimAwareness | null {
    if (!this.workload.awareness) return null;
    let a = this.awareness[peer];
    if (!a) this.awareness[peer] = a = new SimAwareness();
    return a;
  }

  peer(p: PeerId): AnyPeer | undefined {
    return (this.room as SimRoom<unknown>).peers[p] as AnyPeer | undefined;
  }

  private joined(p: PeerId): void {
    // peers brought online at setup begin on their join-window schedule; later ones (late joiners,
    // churn) at once
    if (!this.setup) (this.room as SimRoom<unknown>).begin(p);
  }

  /** The k online slots whose DHT ids are closest to `peer`'s (sorted ids, a window around it). */
  private neighbourhood(peer: PeerId): PeerId[] {
    const idBits = this.params.idBits;
    if (!this.sortedIds) {
      const ids = [];
      for (let p = 0; p < this.world.size; p++) {
        const id = nodeIdOf(p, idBits);
        ids.push({ peer: p, hi: ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0, lo: (((id[4] ?? 0) << 24) | ((id[5] ?? 0) << 16) | ((id[6] ?? 0) << 8) | (id[7] ?? 0)) >>> 0 });
      }
      ids.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
      this.sortedIds = ids;
    }
    const ids = this.sortedIds;
    const me = nodeIdOf(peer, idBits);
    const hi = ((me[0]! << 24) | (me[1]! << 16) | (me[2]! << 8) | me[3]!) >>> 0;
    const lo = (((me[4] ?? 0) << 24) | ((me[5] ?? 0) << 16) | ((me[6] ?? 0) << 8) | (me[7] ?? 0)) >>> 0;
    let a = 0;
    let b = ids.length;
    while (a < b) {
      const m = (a + b) >> 1;
      const x = ids[m]!;
      if (x.hi < hi || (x.hi === hi && x.lo < lo)) a = m + 1;
      else b = m;
    }
    const k = this.params.k;
    const near: { peer: PeerId; d1: number; d2: number }[] = [];
    for (let i = Math.max(0, a - 4 * k); i < Math.min(ids.length, a + 4 * k); i++) {
      const x = ids[i]!;
      if (x.peer !== peer && this.peer(x.peer)) near.push({ peer: x.peer, d1: (x.hi ^ hi) >>> 0, d2: (x.lo ^ lo) >>> 0 });
    }
    near.sort((p, q) => p.d1 - q.d1 || p.d2 - q.d2);
    return near.slice(0, k).map((x) => x.peer);
  }

  // ---- edits --------------------------------------------------------------------------------------

  private step(): void {
    const i = this.editsMade + this.editsSkipped;
    const next = this.edits[i + 1];
    if (next !== undefined) this.world.sim.at(next, this.editKind, 0);
    const online = this.editors.filter((p) => this.peer(p) !== undefined);
    if (online.length === 0) {
      this.editsSkipped++;
      return;
    }
    this.edit(this.editRng.pick(online));
  }

  private edit(p: PeerId): void {
    const w = this.workload;
    const rng = this.editRng;
    const doc = this.docOf(p);
    const text = doc.getText('text');
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array, origin: unknown): void => {
      if (origin !== SYNC_ORIGIN) update = u;
    };
    doc.on('update', capture);
    const region = rng.chance(w.sameRegion);
    const len = text.length;
    let at = region ? Math.floor(len / 2) : rng.int(len + 1);
    let deleted: Y.ID | null = null;
    if (len > 0 && !rng.chance(w.insertFraction)) {
      at = Math.min(at, len - 1);
      deleted = Y.createRelativePositionFromTypeIndex(text, at).item;
      text.delete(at, Math.min(1 + rng.int(w.deleteChars), len - at));
    } else {
      const n = 1 + rng.int(w.insertChars);
      let s = '';
      for (let c = 0; c < n; c++) s += LETTERS[rng.int(26)];
      text.insert(at, s);
    }
    doc.off('update', capture);
    if (update === null) return;
    this.editsMade++;
    this.meter.edit(p, this.clientOf(p), update, deleted);
    const peer = this.peer(p)!;
    peer.localUpdate(update);
    const aw = this.awarenessOf(p);
    if (aw) peer.localAwareness(aw.setLocal(this.clientOf(p), { user: { name: `peer-${p}` }, cursor: { anchor: at, head: at } }));
  }

  get workloadDone(): boolean {
    return this.editsMade + this.editsSkipped >= this.workload.edits;
  }

  // ---- series -------------------------------------------------------------------------------------

  private sample(): void {
    this.world.sim.schedule(this.sampleMs, this.sampleKind, 0);
    const s = this.series;
    let online = 0;
    let synced = 0;
    let lag = 0;
    let links = 0;
    for (let p = 0; p < this.world.size; p++) {
      const peer = this.peer(p);
      if (!peer) continue;
      online++;
      const l = this.meter.lag(p);
      lag += l;
      if (l === 0) synced++;
      links += peer instanceof SimSyncPeer ? peer.sync.links.open : peer.openPeers().length;
    }
    s.t.push(this.world.sim.now);
    s.synced.push(online ? synced / online : 0);
    s.lag.push(online ? lag / online : 0);
    s.links.push(online ? links / online : 0);
    s.edits.push(this.editsMade);
  }
}

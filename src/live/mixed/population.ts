/**
 * A simulated population in a live room (docs/sync.md, "Mixed rooms"): N simulated sync peers (the
 * `protocol.type: sync` simulation: SyncRunState, SimRoom, SimSyncPeer, each peer a real Y.Doc) run in
 * real time by a RealTimePacer, and one **bridge**: a real live peer in this process (LivePeer: WebRTC
 * through node-datachannel, the same OverlayRoom every Node peer runs) that is also a slot of the
 * simulated population. The bridge's two replicas, its live document and its slot's simulated
 * document, are kept equal: an update one of them integrates from its own world is applied to the
 * other, and there it spreads like a local edit (the live overlay gossips it, the simulated slot hands
 * it to its SyncPeer). Updates carry their own Yjs client ids, so whichever way an edit reached a
 * replica, it is the same edit; applying a known update changes nothing and stops the echo.
 *
 * The population is a simulation with its own modelled latency, bandwidth, loss, churn and partitions
 * (the scenario's); the live room sees one more member (the bridge) whose updates come from N peers.
 */
import * as Y from 'yjs';
import type { PeerId } from '../../core/index.js';
import { quantileSorted, Rng } from '../../core/index.js';
import { createSession, type Session } from '../../lab/session.js';
import { ScenarioError, type Scenario, type ScenarioIssue } from '../../lab/scenario.js';
import { createSyncRun, driver as syncDriver, type SyncParams, type SyncRun, type SyncWorkload } from '../../protocols/sync/driver.js';
import type { SyncRunState } from '../../protocols/sync/sim/run.js';
import { SimSyncPeer } from '../../protocols/sync/sim/peers.js';
import type { ProtocolDriver } from '../../protocols/driver.js';
import { randomEdit, stampKeys } from '../edits.js';
import { wallMs, type DocInfo, type LinkInfo, type TrustReport } from '../overlay/room.js';
import type { LivePeerOptions } from '../peer.js';
import { docInfo, type LatencySummary } from '../peer-state.js';
import { AwarenessBridge } from './awareness-bridge.js';
import { BridgePeer } from './bridge-peer.js';
import { RealTimePacer, type PacerOptions, type PacerStats } from './pacer.js';

/** Ids of simulated peers in the Live graph: population * 2^32 + slot + 1, above every live (u32) id. */
const ID_SPAN = 2 ** 32;
/** Populations per host at most (their ids stay below 2^53). */
export const MAX_POPULATIONS = 1024;

/** Origins of updates the bridge relays (so a relayed update is not relayed back). */
const FROM_LIVE = Symbol('from-live');
const FROM_SIM = Symbol('from-simulation');

export interface PopulationOptions {
  /** This population's number in the host (1..MAX_POPULATIONS): it fixes its peers' ids in the graph. */
  index: number;
  /** A `protocol.type: sync` scenario in overlay or flood mode (checkMixedScenario). */
  scenario: Scenario;
  /** How the bridge joins the live room (room, signaling, password, ICE...); the bridge is overlay mode. */
  live: Omit<LivePeerOptions, 'peerId' | 'name' | 'dataDir' | 'mode'>;
  /** The live document the population's document is bridged to. */
  doc: string;
  /** The bridge's live peer id (u32; default random). */
  bridgeId?: number;
  /** Yjs client ids of the simulated replicas are clientBase + slot + 1 (default: random, distinct per population). */
  clientBase?: number;
  pacer?: Omit<PacerOptions, 'onError'>;
  /** The simulation stopped on an error (the bridge stays in the room, the population frozen). */
  onError?: (e: unknown) => void;
}

/** A simulated peer (or the bridge) as the Live overlay view draws it (the livePeer shape). */
export interface SimulatedPeerReport {
  id: number;
  name: string;
  kind: 'simulated' | 'bridge';
  alive: boolean;
  mode: 'overlay';
  links: LinkInfo[];
  docs: DocInfo[];
  latency: LatencySummary;
  violations: number;
  updatedAt: number;
  error: string | null;
  population: number;
  /** The bridge's own trust report (it judges its live neighbours like any honest peer), with trust on. */
  trust?: TrustReport;
}

export interface PopulationInfo {
  id: number;
  room: string;
  doc: string;
  /** Simulated peers (the bridge's slot included) and those online now. */
  peers: number;
  online: number;
  bridge: number;
  /** Edits the scenario's workload made so far (edit() calls aside). */
  edits: number;
  /** Virtual ms run, and the pacer's figures. */
  timeMs: number;
  events: number;
  busyMs: number;
  lateP99Ms: number;
  maxLateMs: number;
}

/** Checks that a scenario can run as a population of `room`; throws ScenarioError naming each problem. */
export function checkMixedScenario(scenario: Scenario, room: string): void {
  const p = scenario.protocol.params as Partial<SyncParams>;
  const issues = mixedIssues({ type: scenario.protocol.type, mode: p.mode, room: p.room }, room);
  if (issues.length > 0) throw new ScenarioError(issues, scenario.source);
}

/** What keeps a protocol section (as written or as parsed) from joining `room` as a population. */
export function mixedIssues(protocol: { type?: unknown; mode?: unknown; room?: unknown }, room: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (protocol.type !== 'sync') issues.push({ path: 'protocol.type', problem: `a simulated population in a live room runs the sync peer: expected sync, got ${String(protocol.type)}` });
  else {
    if (protocol.mode === 'ywebrtc') issues.push({ path: 'protocol.mode', problem: 'a simulated population runs the sync peer: expected overlay or flood, got ywebrtc' });
    if (typeof protocol.room === 'string' && protocol.room !== room)
      issues.push({ path: 'protocol.room', problem: `the population joins room '${protocol.room}', but the live room is '${room}' (change one of them)` });
  }
  return issues;
}

export class SimulatedPopulation {
  readonly id: number;
  readonly session: Session;
  readonly state: SyncRunState;
  readonly bridge: BridgePeer;
  /** The slot that is the bridge's simulated half. */
  readonly bridgeSlot: PeerId;
  readonly pacer: RealTimePacer;
  readonly doc: string;
  readonly room: string;
  private readonly liveDoc: Y.Doc;
  private readonly simDoc: Y.Doc;
  private readonly detach: () => void;
  /** Presence across the bridge (null when the population's scenario spreads no awareness). */
  readonly awareness: AwarenessBridge | null = null;
  private readonly clientBase: number;
  private editSeq = 0;
  private closed = false;
  /** Why the simulation stopped, if it did. */
  error: string | null = null;

  constructor(opts: PopulationOptions) {
    if (!Number.isInteger(opts.index) || opts.index < 1 || opts.index > MAX_POPULATIONS)
      throw new RangeError(`population index must be an integer in [1, ${MAX_POPULATIONS}], got ${opts.index}`);
    checkMixedScenario(opts.scenario, opts.live.room);
    this.id = opts.index;
    this.doc = opts.doc;
    this.room = opts.live.room;
    const n = opts.scenario.peers;
    // random so that two populations (or a population added again) never reuse a Yjs client id
    const clientBase = opts.clientBase ?? 0x1000_0000 + Math.floor(Math.random() * (0x7fff_0000 - 0x1000_0000 - n));
    this.clientBase = clientBase;
    const driver: ProtocolDriver = {
      ...syncDriver,
      create: (ctx, params, workload) => createSyncRun(ctx, params as SyncParams, workload as SyncWorkload, clientBase),
    } as ProtocolDriver;
    this.session = createSession(opts.scenario, { drivers: { sync: driver } });
    this.state = (this.session.run as SyncRun).state;
    this.bridgeSlot = this.pickBridgeSlot();
    this.bridge = new BridgePeer({ ...opts.live, mode: 'overlay', dataDir: null, name: `bridge-${this.id}`, ...(opts.bridgeId !== undefined ? { peerId: opts.bridgeId } : {}) });
    this.liveDoc = this.bridge.open(opts.doc);
    const liveAwareness = this.state.workload.awareness ? this.bridge.awareness(opts.doc) : null;
    if (liveAwareness) {
      this.awareness = new AwarenessBridge({
        liveDoc: this.liveDoc,
        live: liveAwareness,
        isSimClient: (c) => c > clientBase && c <= clientBase + n,
        nameOf: (c) => `sim-${this.id}.${c - clientBase - 1}`,
        toSim: (u) => {
          if (this.closed) return;
          this.pacer.catchUp();
          this.simPeer(this.bridgeSlot)?.localAwareness(u);
        },
      });
      // the slot's awareness in the simulation is the bridge's (the run makes a slot's on its first session)
      this.state.awareness[this.bridgeSlot] = this.awareness.slot;
    }
    // the bridge's slot is in the room from the start (the others arrive over the join window)
    this.state.room.begin(this.bridgeSlot);
    this.simDoc = this.state.docOf(this.bridgeSlot);
    this.detach = this.relay();
    this.pacer = new RealTimePacer(this.session.sim, {
      ...opts.pacer,
      onError: (e) => {
        this.error = `the simulation stopped: ${(e as Error).message ?? String(e)}`;
        opts.onError?.(e);
      },
    });
    this.pacer.start();
    this.awareness?.seed();
  }

  /** The first slot online at the start that does not edit (else the first online one). */
  private pickBridgeSlot(): PeerId {
    const world = this.session.world;
    const editors = new Set(this.state.editors);
    let first = -1;
    for (let p = 0; p < world.size; p++) {
      if (world.alive[p] !== 1) continue;
      if (!editors.has(p)) return p;
      if (first < 0) first = p;
    }
    if (first < 0) throw new ScenarioError([{ path: 'peers', problem: 'no simulated peer is online at the start to bridge the population into the room' }], this.session.scenario.source);
    return first;
  }

  private relay(): () => void {
    const live = this.liveDoc;
    const sim = this.simDoc;
    // from the live room: into the slot's replica, then out to the simulated room as the slot's news
    const onLive = (u: Uint8Array, origin: unknown): void => {
      if (origin === FROM_SIM || this.closed) return;
      this.pacer.catchUp();
      Y.applyUpdate(sim, u, FROM_LIVE);
    };
    // from the simulated room (or relayed in just now): the former go to the live room
    const onSim = (u: Uint8Array, origin: unknown): void => {
      if (this.closed) return;
      if (origin === FROM_LIVE) (this.state.peer(this.bridgeSlot) as SimSyncPeer | undefined)?.localUpdate(u);
      else Y.applyUpdate(live, u, FROM_SIM);
    };
    live.on('update', onLive);
    sim.on('update', onSim);
    // what either side held already
    Y.applyUpdate(sim, Y.encodeStateAsUpdate(live), FROM_LIVE);
    Y.applyUpdate(live, Y.encodeStateAsUpdate(sim), FROM_SIM);
    return () => {
      live.off('update', onLive);
      sim.off('update', onSim);
    };
  }

  get size(): number {
    return this.session.world.size;
  }

  /** The Live graph's id of a slot (the bridge's slot is the bridge). */
  graphId(slot: PeerId): number {
    return slot === this.bridgeSlot ? this.bridge.id : this.id * ID_SPAN + slot + 1;
  }

  /** The slot of a graph id of this population, or -1. */
  slotOf(id: number): PeerId {
    if (id === this.bridge.id) return this.bridgeSlot;
    const slot = id - this.id * ID_SPAN - 1;
    return slot >= 0 && slot < this.size && slot !== this.bridgeSlot ? slot : -1;
  }

  private simPeer(slot: PeerId): SimSyncPeer | undefined {
    const p = this.state.peer(slot);
    return p instanceof SimSyncPeer ? p : undefined;
  }

  /**
   * `count` random edits by a simulated peer now, each stamped [graph id, seq, wall ms] like a Node peer's
   * (src/live/edits.ts), so tests and benches can check every edit reached every replica. Returns the
   * marks made. A slot that is offline edits its replica; the edits spread when it is back.
   */
  edit(slot: PeerId, count: number, seed: number): string[] {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.size) throw new RangeError(`no simulated peer ${slot} (0..${this.size - 1})`);
    this.pacer.catchUp();
    const doc = this.state.docOf(slot);
    const rng = new Rng(seed);
    const origin = this.graphId(slot);
    const marks: string[] = [];
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array, o: unknown): void => {
      if (o === null || o === undefined) update = u;
    };
    doc.on('update', capture);
    try {
      for (let i = 0; i < count; i++) {
        update = null;
        const seq = this.editSeq++;
        randomEdit(doc, rng, origin, seq, true, wallMs);
        const stamps = doc.getArray<number[]>('stamps');
        marks.push(stamps.get(stamps.length - 1)!.join(':'));
        // (the bridge's own slot also relays it to the live room, through its doc's update event)
        if (update !== null) this.simPeer(slot)?.localUpdate(update);
      }
    } finally {
      doc.off('update', capture);
    }
    return marks;
  }

  /** The text of the replica a graph id of this population holds (the bridge's: its live document), or null if the id is not one of its peers. */
  textOf(id: number): string | null {
    if (id === this.bridge.id) return this.liveDoc.getText('text').toString();
    const slot = this.slotOf(id);
    return slot < 0 ? null : this.state.docOf(slot).getText('text').toString();
  }

  /** A simulated replica's text and marks (tests compare them with the live peers'). */
  replica(slot: PeerId): { text(): string; stamps(): string[] } {
    const doc = this.state.docOf(slot);
    return { text: () => doc.getText('text').toString(), stamps: () => stampKeys(doc) };
  }

  /** Slots online now. */
  online(): PeerId[] {
    const out: PeerId[] = [];
    for (let p = 0; p < this.size; p++) if (this.simPeer(p)) out.push(p);
    return out;
  }

  /** Every simulated peer online (and the bridge) in the livePeer shape; a slot's links to others as graph ids. */
  reports(): SimulatedPeerReport[] {
    const now = Date.now();
    const out: SimulatedPeerReport[] = [];
    const bridge = this.bridge.state();
    for (let slot = 0; slot < this.size; slot++) {
      const p = this.simPeer(slot);
      const isBridge = slot === this.bridgeSlot;
      if (!p && !isBridge) continue;
      const links: LinkInfo[] = isBridge ? [...bridge.links] : [];
      if (p)
        for (const l of p.sync.links.values())
          links.push({ peer: this.graphId(l.peer), open: l.open, initiator: l.initiator, bytesIn: l.bytesIn, bytesOut: l.bytesOut, messagesIn: l.framesIn, messagesOut: l.framesOut, lastHeard: 0, found: l.kind });
      out.push({
        id: this.graphId(slot),
        name: isBridge ? bridge.name : `sim-${this.id}.${slot}`,
        kind: isBridge ? 'bridge' : 'simulated',
        alive: true,
        mode: 'overlay',
        links: links.slice(0, 64),
        docs: [isBridge ? docInfo(this.doc, this.liveDoc) : docInfo(this.doc, this.state.docOf(slot))],
        latency: isBridge ? bridge.latency : {},
        violations: isBridge ? bridge.violations : 0,
        updatedAt: now,
        error: isBridge ? this.error : null,
        population: this.id,
        ...(isBridge && bridge.trust ? { trust: bridge.trust } : {}),
      });
    }
    return out;
  }

  info(): PopulationInfo {
    const st: PacerStats = this.pacer.stats;
    const late = [...st.lateMs].sort((a, b) => a - b);
    return {
      id: this.id,
      room: this.room,
      doc: this.doc,
      peers: this.size,
      online: this.session.world.online,
      bridge: this.bridge.id,
      edits: this.state.editsMade,
      timeMs: Math.round(this.session.sim.now),
      events: this.session.sim.eventsProcessed,
      busyMs: Math.round(st.busyMs),
      lateP99Ms: late.length ? Math.round(quantileSorted(late, 0.99) * 10) / 10 : 0,
      maxLateMs: Math.round(st.maxLateMs * 10) / 10,
    };
  }

  /** Stops the simulation; the bridge leaves the live room (gracefully: it says goodbye). */
  close(graceful = true): void {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    this.detach();
    // the simulated states leave the room with the bridge (sent while its links are still open)
    this.awareness?.close();
    this.bridge.close(graceful);
  }
}

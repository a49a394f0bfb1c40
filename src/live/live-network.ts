/**
 * LiveNetwork: what the host (Electron main or `peerlab serve`) runs for the live half of the lab — the
 * embedded signaling server (127.0.0.1, or a remote one from settings), the Node peers (one process each,
 * with their update logs under `dataDir/<peer>`), the room's sync mode and documents, and the latest state
 * reported by browser/window peers so the dashboard sees the whole overlay.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Behaviour } from '../protocols/sync/index.js';
import type { DocInfo, LinkInfo, TrustReport } from './overlay/room.js';
import { PeerProcess, PeerProcessError } from './peer-process-client.js';
import type { PeerReport, SyncMode } from './peer.js';
import { IceConfigError } from './ice.js';
import { SignalingServer } from './signaling/server.js';
import { Populations, type AddSimulatedArgs } from './mixed/populations.js';
import type { PopulationInfo, SimulatedPeerReport } from './mixed/population.js';
import { loadOrCreatePeerKeys } from './trust-key-file.js';
import { createPeerKeys } from './trust-keys.js';
import { roomTrust, type PeerTrustView } from './trust-view.js';
import { DEFAULT_TURN_TTL_SEC, parseIceRoomSettings, publicIce, resolveIce, turnSecretFromEnv, type IceRoomSettings } from './turn-rest.js';

export interface LiveNetworkOptions {
  room?: string;
  mode?: SyncMode;
  password?: string | null;
  /** A remote signaling server (ws://...); null runs the embedded one. */
  signaling?: string | null;
  /** Port of the embedded server (0 = any free one). */
  signalingPort?: number;
  /** Interface of the embedded server. Default 127.0.0.1. */
  signalingHost?: string;
  /** Where Node peers keep their update logs. Default <tmp>/peerlab-live. */
  dataDir?: string;
  docs?: string[];
  /** Node peers listed at most (running or killed; each is a process). Default 32. */
  maxNodePeers?: number;
  /** The room's STUN/TURN servers and transport policy (see turn-rest.ts). Default none, 'all'. */
  ice?: { servers?: unknown[]; policy?: unknown };
  /** Address Node peers bind ICE to. Default 127.0.0.1 (this machine only); '' for every interface. */
  bindAddress?: string;
  /** The TURN server's shared secret for REST credentials; default from PEERLAB_TURN_SECRET_FILE / PEERLAB_TURN_SECRET. */
  turnSecret?: string | null;
  /** Lifetime of minted TURN credentials. Default 24 h (minted again at every peer start). */
  turnTtlSec?: number;
  /**
   * The sync peer's trust layer in the room (overlay mode): keys bound to ids, sealed updates, reputation,
   * cuts and rewiring, and Node peers with a behaviour. Windows follow `live.join`. Default true.
   */
  trust?: boolean;
}

/** The room's ICE settings as `live.info` shows them: URLs and kind of credentials, never the credentials. */
export type PublicIce = ReturnType<typeof publicIce>;

export interface LivePeerSummary {
  id: number;
  name: string;
  /** A Node peer process, a window, a simulated peer, or the bridge of a simulated population (src/live/mixed/). */
  kind: 'node' | 'browser' | 'simulated' | 'bridge';
  alive: boolean;
  mode: SyncMode;
  links: LinkInfo[];
  docs: DocInfo[];
  latency: Record<string, { n: number; p50: number; p99: number }>;
  violations: number;
  /** Wall ms of the last state we got from it. */
  updatedAt: number;
  /** What keeps this peer from working (its TURN servers give it no relay address), or null. */
  error: string | null;
  /** The simulated population a simulated peer or bridge belongs to. */
  population?: number;
  /** With trust on: its behaviour, the peers it cut, its counters, and what the room thinks of it (trust-view.ts). */
  trust?: PeerTrustView;
}

export interface LiveInfo {
  room: string;
  mode: SyncMode;
  hasPassword: boolean;
  signalingUrl: string | null;
  embeddedSignaling: boolean;
  docs: string[];
  nodePeers: number;
  ice: PublicIce;
  bindAddress: string;
  /** Whether the host holds a TURN secret (servers with `auth: 'rest'` need it). */
  turnSecret: boolean;
  /** Whether the room runs the sync peer's trust layer (every peer of it must). */
  trust: boolean;
}

/** The longest document text `replica` returns (characters). */
export const MAX_REPLICA_CHARS = 16 * 1024 * 1024;

export class LiveNetworkError extends Error {
  override name = 'LiveNetworkError';
}

/** Waits for a peer process to be ready; one that could not start is the user's error, with its reason. */
async function started(proc: PeerProcess): Promise<void> {
  try {
    await proc.ready;
  } catch (e) {
    if (e instanceof PeerProcessError) throw new LiveNetworkError(e.message);
    throw e;
  }
}

interface NodePeer {
  proc: PeerProcess;
  id: number;
  name: string;
  dataDir: string;
  behaviour: Behaviour;
  alive: boolean;
  last: PeerReport | null;
}

export class LiveNetwork {
  private room: string;
  private mode: SyncMode;
  private password: string | null;
  private remote: string | null;
  private server: SignalingServer | null = null;
  private readonly dataDir: string;
  private readonly docs: string[];
  private readonly nodes = new Map<number, NodePeer>();
  private readonly browsers = new Map<number, LivePeerSummary>();
  private trust: boolean;
  private counter = 0;
  private ice: IceRoomSettings;
  private bindAddress: string;
  private readonly turnSecret: string | null;
  private readonly populations = new Populations();

  constructor(private readonly opts: LiveNetworkOptions = {}) {
    this.room = opts.room ?? 'lab';
    this.mode = opts.mode ?? 'overlay';
    this.password = opts.password ?? null;
    this.remote = opts.signaling ?? null;
    this.turnSecret = opts.turnSecret !== undefined ? opts.turnSecret : secretFromEnv();
    this.ice = this.checkIce(opts.ice ?? {});
    this.bindAddress = checkBind(opts.bindAddress ?? '127.0.0.1');
    this.dataDir = opts.dataDir ?? path.join(os.tmpdir(), 'peerlab-live');
    this.docs = [...(opts.docs ?? ['main'])];
    this.trust = opts.trust ?? true;
  }

  async signalingUrl(): Promise<string> {
    if (this.remote) return this.remote;
    if (!this.server) {
      const s = new SignalingServer({ host: this.opts.signalingHost ?? '127.0.0.1', port: this.opts.signalingPort ?? 0 });
      await s.listen();
      this.server = s;
    }
    return this.server.url;
  }

  info(): LiveInfo {
    return {
      room: this.room,
      mode: this.mode,
      hasPassword: this.password !== null,
      signalingUrl: this.remote ?? this.server?.url ?? null,
      embeddedSignaling: this.remote === null,
      docs: [...this.docs],
      nodePeers: [...this.nodes.values()].filter((n) => n.alive).length,
      ice: publicIce(this.ice),
      bindAddress: this.bindAddress,
      turnSecret: this.turnSecret !== null,
      trust: this.trust,
    };
  }

  /**
   * The password and ICE credentials (static, or minted for the window) are given to the host's own
   * windows (same trust domain), never to remote clients; the TURN secret stays here.
   */
  joinInfo(): LiveInfo & { password: string | null; rtcConfig: { iceServers: { urls: string[]; username?: string; credential?: string }[]; iceTransportPolicy: 'all' | 'relay' } } {
    const ice = resolveIce(this.ice, this.turnSecret, `${this.room}-window`, this.opts.turnTtlSec ?? DEFAULT_TURN_TTL_SEC);
    return { ...this.info(), password: this.password, rtcConfig: ice };
  }

  /** Validates ICE settings, including that REST credentials can be minted. */
  private checkIce(raw: { servers?: unknown; policy?: unknown }): IceRoomSettings {
    try {
      const ice = parseIceRoomSettings(raw);
      resolveIce(ice, this.turnSecret, 'check');
      return ice;
    } catch (e) {
      if (e instanceof IceConfigError) throw new LiveNetworkError(e.message);
      throw e;
    }
  }

  private spawn(node: Pick<NodePeer, 'id' | 'name' | 'dataDir' | 'behaviour'>, signaling: string): PeerProcess {
    // credentials are minted at every start, so a restarted peer gets a fresh lifetime
    const ice = resolveIce(this.ice, this.turnSecret, `${this.room}-${node.name}`, this.opts.turnTtlSec ?? DEFAULT_TURN_TTL_SEC);
    return new PeerProcess({
      room: this.room,
      signaling,
      password: this.password,
      mode: this.mode,
      docs: this.docs,
      peerId: node.id,
      name: node.name,
      dataDir: node.dataDir,
      bindAddress: this.bindAddress,
      ...ice,
      ...(this.trust ? { trust: true, behaviour: node.behaviour, colluders: this.colluders(node) } : {}),
    });
  }

  /** Fellow attackers a badmouthing peer praises: the room's other Node peers that misbehave. */
  private colluders(node: Pick<NodePeer, 'id' | 'behaviour'>): number[] {
    if (node.behaviour === 'honest') return [];
    return [...this.nodes.values()].filter((n) => n.id !== node.id && n.behaviour !== 'honest').map((n) => n.id);
  }

  /** With trust, a peer's id is its key's: the key is made (or read) in its data directory first, here. */
  private async keyId(dataDir: string): Promise<number> {
    try {
      return (await loadOrCreatePeerKeys(dataDir)).id;
    } catch (e) {
      throw new LiveNetworkError((e as Error).message);
    }
  }

  async addPeer(name?: string, behaviour: Behaviour = 'honest'): Promise<LivePeerSummary> {
    const max = this.opts.maxNodePeers ?? 32;
    if (this.nodes.size >= max) throw new LiveNetworkError(`at most ${max} Node peers (remove one first)`);
    if (behaviour !== 'honest' && !this.trust) throw new LiveNetworkError(`behaviour ${behaviour}: the room runs without trust (live.configure {trust: true})`);
    const signaling = await this.signalingUrl();
    this.counter++;
    const peerName = name ?? `node-${this.counter}`;
    let id: number;
    let dataDir: string;
    if (this.trust) {
      // the key is made aside, then its folder takes the name of the id the key gives
      const fresh = path.join(this.dataDir, `.new-${randomUUID()}`);
      id = await this.keyId(fresh);
      dataDir = path.join(this.dataDir, `${this.room}-${id}`);
      try {
        await fs.rename(fresh, dataDir);
      } catch (e) {
        await fs.rm(fresh, { recursive: true, force: true });
        throw new LiveNetworkError(`${dataDir}: ${(e as Error).message}`);
      }
    } else {
      // a u32: the sync peer's ids are its place in the DHT
      id = 1 + Math.floor(Math.random() * (2 ** 32 - 2));
      dataDir = path.join(this.dataDir, `${this.room}-${id}`);
    }
    if (this.nodes.has(id)) throw new LiveNetworkError(`peer id ${id} is taken`);
    const proc = this.spawn({ id, name: peerName, dataDir, behaviour }, signaling);
    const node: NodePeer = { proc, id, name: peerName, dataDir, behaviour, alive: true, last: null };
    this.nodes.set(id, node);
    this.watch(node);
    await started(node.proc);
    return this.summary(node);
  }

  private watch(node: NodePeer): void {
    const proc = node.proc;
    void proc.exited.then(() => {
      if (node.proc === proc) node.alive = false;
    });
  }

  private get(id: number): NodePeer {
    const n = this.nodes.get(id);
    if (!n) throw new LiveNetworkError(`no Node peer with id ${id}`);
    return n;
  }

  /** Graceful leave; the peer disappears from the list. */
  async removePeer(id: number): Promise<void> {
    const n = this.get(id);
    this.nodes.delete(id);
    await n.proc.close();
  }

  /** SIGKILL: it stays listed as dead and can be restarted from its log. */
  async killPeer(id: number): Promise<void> {
    const n = this.get(id);
    await n.proc.kill9();
    n.alive = false;
  }

  async restartPeer(id: number): Promise<LivePeerSummary> {
    const n = this.get(id);
    if (n.alive) throw new LiveNetworkError(`peer ${id} is running`);
    const signaling = await this.signalingUrl();
    if (this.trust) await this.rekey(n);
    n.proc = this.spawn(n, signaling);
    n.alive = true;
    this.watch(n);
    await started(n.proc);
    return this.summary(n);
  }

  async openDoc(name: string): Promise<string[]> {
    if (!this.docs.includes(name)) {
      if (this.docs.length >= 32) throw new LiveNetworkError('at most 32 documents per room');
      this.docs.push(name);
    }
    await Promise.all(this.alive().map((n) => n.proc.call('open', { doc: name })));
    return [...this.docs];
  }

  async setMode(mode: SyncMode): Promise<void> {
    if (mode !== 'overlay' && this.populations.size > 0) throw new LiveNetworkError('simulated populations run the overlay: remove them before switching the room to y-webrtc');
    this.mode = mode;
    await Promise.all(this.alive().map((n) => n.proc.setMode(mode)));
  }

  /**
   * Changes room/password/signaling/ICE servers: Node peers restart into the new room (their logs stay). Each old
   * process is gone before its successor starts (its log's lock allows one writer), and the record
   * follows the new process.
   */
  async configure(c: {
    room?: string;
    password?: string | null;
    signaling?: string | null;
    ice?: { servers?: unknown[]; policy?: unknown };
    bindAddress?: string;
    trust?: boolean;
  }): Promise<LiveInfo> {
    // checked before anything changes: a bad setting leaves the room as it was
    const ice = c.ice !== undefined ? this.checkIce(c.ice) : this.ice;
    const bind = c.bindAddress !== undefined ? checkBind(c.bindAddress) : this.bindAddress;
    this.ice = ice;
    this.bindAddress = bind;
    // a population was checked against the room it joined: it leaves with the old settings
    this.populations.closeAll();
    if (c.room !== undefined) this.room = c.room;
    if (c.password !== undefined) this.password = c.password;
    if (c.signaling !== undefined) this.remote = c.signaling;
    if (c.trust !== undefined) this.trust = c.trust;
    const signaling = await this.signalingUrl();
    const running = this.alive();
    for (const n of running) {
      await n.proc.close(); // its exit marks the record dead (the record still names it): revived below
      if (this.trust) await this.rekey(n);
      n.proc = this.spawn(n, signaling);
      n.alive = true;
      this.watch(n);
    }
    // one that cannot start (its log is locked, say) shows as not alive; the others carry on
    await Promise.allSettled(running.map((n) => n.proc.ready));
    return this.info();
  }

  /** Adds a simulated population to the room, joined through a bridge peer in this process (src/live/mixed/). */
  async addSimulated(a: AddSimulatedArgs): Promise<PopulationInfo> {
    if (this.mode !== 'overlay') throw new LiveNetworkError('simulated populations run the overlay: switch the room to overlay mode first');
    const signaling = await this.signalingUrl();
    const ice = resolveIce(this.ice, this.turnSecret, `${this.room}-bridge`, this.opts.turnTtlSec ?? DEFAULT_TURN_TTL_SEC);
    // in a room with trust the bridge is a peer like any other: its own key (per population), honest
    const trust = this.trust ? { trust: true, keys: await createPeerKeys() } : {};
    return this.populations.add(a, { room: this.room, signaling, password: this.password, bindAddress: this.bindAddress, ...ice, ...trust }, this.docs);
  }

  removeSimulated(id: number): void {
    this.populations.remove(id);
  }

  simulated(): PopulationInfo[] {
    return this.populations.list();
  }

  /** A peer started before the room had trust takes its key's id now (the key is made in its data directory). */
  private async rekey(n: NodePeer): Promise<void> {
    const id = await this.keyId(n.dataDir);
    if (id === n.id) return;
    this.nodes.delete(n.id);
    n.id = id;
    this.nodes.set(id, n);
  }

  /**
   * The text of `doc` as a Node peer, a bridge or a simulated peer holds it (what the room converged to, or
   * not). A window's replica is in that window. Bounded: a text over MAX_REPLICA_CHARS is refused.
   */
  async replica(id: number, doc: string): Promise<string> {
    if (!this.docs.includes(doc)) throw new LiveNetworkError(`doc: the room has no document ${JSON.stringify(doc)} (it has ${this.docs.join(', ')})`);
    const node = this.nodes.get(id);
    let text: string | null;
    if (node) {
      if (!node.alive) throw new LiveNetworkError(`peer ${id} is not running`);
      try {
        text = await node.proc.text(doc);
      } catch (e) {
        throw new LiveNetworkError(`peer ${id}: ${(e as Error).message}`);
      }
    } else {
      text = this.populations.textOf(id, doc);
      if (text === null) throw new LiveNetworkError(this.browsers.has(id) ? `peer ${id} is a window: its replica is in that window` : `no Node peer, bridge or simulated peer with id ${id} holding '${doc}'`);
    }
    if (text.length > MAX_REPLICA_CHARS) throw new LiveNetworkError(`peer ${id}: '${doc}' holds ${text.length} characters, more than ${MAX_REPLICA_CHARS} returned at once`);
    return text;
  }

  async type(id: number, doc: string, count: number, intervalMs: number): Promise<void> {
    const n = this.get(id);
    if (!n.alive) throw new LiveNetworkError(`peer ${id} is not running`);
    void n.proc.call('edits', { doc, seed: Math.floor(Math.random() * 2 ** 31), count, intervalMs, stamp: false }).catch(() => {});
  }

  /** Browser/window peers report their own state (they are not processes of ours). */
  reportBrowser(s: Omit<LivePeerSummary, 'kind' | 'updatedAt' | 'alive' | 'error' | 'trust'> & { error?: string | null; trust?: TrustReport | null }): void {
    if (this.browsers.size >= 256 && !this.browsers.has(s.id)) return;
    const { trust, ...rest } = s;
    this.browsers.set(s.id, { ...rest, kind: 'browser', alive: true, updatedAt: Date.now(), error: s.error ?? null, ...(trust ? { trust: { ...trust, cut: false, cutBy: 0 } } : {}) });
  }

  private alive(): NodePeer[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  private summary(n: NodePeer): LivePeerSummary {
    const s = n.last;
    return {
      id: n.id,
      name: n.name,
      kind: 'node',
      alive: n.alive,
      mode: s?.mode ?? this.mode,
      links: n.alive ? (s?.links ?? []) : [],
      docs: s?.docs ?? [],
      latency: s?.latency ?? {},
      violations: s?.violations ?? 0,
      updatedAt: Date.now(),
      error: n.alive ? (s?.ice?.error ?? null) : null,
      ...(s?.trust ? { trust: { ...s.trust, cut: false, cutBy: 0 } } : {}),
    };
  }

  /** Current state of every peer (asks the Node peers; browser peers as last reported, 5 s expiry). */
  async peers(): Promise<LivePeerSummary[]> {
    await Promise.all(
      this.alive().map(async (n) => {
        try {
          n.last = await Promise.race([n.proc.state(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
        } catch {
          /* a dying process: keep the last state */
        }
      }),
    );
    const now = Date.now();
    for (const [id, b] of this.browsers) if (now - b.updatedAt > 5000) this.browsers.delete(id);
    const simulated: SimulatedPeerReport[] = this.populations.reports();
    // bridges are live peers of the room: they judge their live neighbours, and are judged, like the others
    const all: (LivePeerSummary | SimulatedPeerReport)[] = [...[...this.nodes.values()].map((n) => this.summary(n)), ...this.browsers.values(), ...simulated.filter((s) => s.kind === 'bridge')];
    // what the room thinks of each peer, from every peer's own judgements
    const views = roomTrust(all);
    return [...all.map((p) => withView(p, views.get(p.id))), ...simulated.filter((s) => s.kind !== 'bridge').map((s) => withView(s, undefined))];
  }

  async close(): Promise<void> {
    this.populations.closeAll();
    await Promise.all([...this.nodes.values()].map((n) => n.proc.close()));
    this.nodes.clear();
    await this.server?.close();
    this.server = null;
  }
}

/** A peer as the Live view gets it: its own trust report replaced by the room's view of it (trust-view.ts). */
function withView(p: LivePeerSummary | SimulatedPeerReport, view: PeerTrustView | undefined): LivePeerSummary {
  const { trust: own, ...rest } = p;
  void own;
  return view ? { ...rest, trust: view } : rest;
}

function secretFromEnv(): string | null {
  try {
    return turnSecretFromEnv();
  } catch (e) {
    if (e instanceof IceConfigError) throw new LiveNetworkError(e.message);
    throw e;
  }
}

/** An address to bind ICE to: '' (every interface) or an IPv4/IPv6 literal. */
function checkBind(a: string): string {
  if (a === '' || /^(\d{1,3}\.){3}\d{1,3}$/.test(a) || /^[0-9a-fA-F:]{2,39}$/.test(a)) return a;
  throw new LiveNetworkError(`bindAddress: expected an IP address, or '' for every interface, got ${JSON.stringify(a.slice(0, 60))}`);
}

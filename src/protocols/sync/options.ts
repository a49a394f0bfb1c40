/**
 * The sync peer's options, each with its default and bounds. Live peers run the defaults (tuned for
 * WebRTC on a LAN or loopback); the simulator's `protocol.type: sync` keys map onto these (sim/params.ts)
 * with defaults of its own where the modelled network is slower.
 */
import { SyncConfigError } from './errors.js';

export type Dissemination = 'plumtree' | 'flood';

export interface SyncOptions {
  /** Room name (its DHT key and signaling topic). */
  room: string;
  /** How updates and awareness spread: Plumtree trees (default) or flooding over the partial view. */
  dissemination?: Dissemination;
  /** Links a peer tries to keep. Default 4. */
  degree?: number;
  /** Links a peer accepts at most. Default 8. */
  maxLinks?: number;
  /** Links a joining peer takes from the signaling server before the DHT takes over. Default 1. */
  bootstrapLinks?: number;
  /** Every this often a peer with spare room opens a link to a random member and drops an old one. Default 10 s. */
  shuffleMs?: number;
  /** Every this often a peer compares document digests with one random neighbour. Default 1 s. */
  antiEntropyMs?: number;
  /** A different digest is taken for edits in flight while the document heard gossip this recently
   * (a gap, an update waiting for its predecessor, is asked for at once anyway). Default 1 s. */
  antiEntropySettleMs?: number;
  /** Period of the peer's housekeeping (liveness, keeping `degree` links, retries). Default 250 ms. */
  tickMs?: number;
  /** A link that carried nothing for this long gets a PING. Default 500 ms. */
  heartbeatMs?: number;
  /** A link that carried nothing for this long is dead and closed. Default 1500 ms. */
  deadLinkMs?: number;
  /** A negotiation that has not opened its link in this time is given up. Default 10 s. */
  connectTimeoutMs?: number;
  /** While a peer has no link it says hello on signaling this often (doubling up to 8x). Default 1 s. */
  helloMs?: number;
  /** A member that hears a hello waits up to this long (random) before offering, and does not if others did. Default 150 ms. */
  helloAnswerMs?: number;
  /** Re-announce in the DHT this often. Default 5 min. */
  announceMs?: number;
  /** DHT: id width, bucket size, parallelism, request timeout. Defaults 64, 8, 3, 1000 ms. */
  idBits?: number;
  k?: number;
  alpha?: number;
  rpcTimeoutMs?: number;
  /** Plumtree: wait this long for a message announced by IHAVE before GRAFTing. Default 30 ms. */
  graftTimeoutMs?: number;
  /** Plumtree: batch IHAVEs for this long (0: at once). Default 0. */
  lazyDelayMs?: number;
  /** Plumtree: IHAVEs per message at most (to random lazy neighbours). Default 2. */
  lazyFanout?: number;
  /** Plumtree: messages cached for GRAFTs, and ids remembered. Defaults 256 and 20,000. */
  cacheSize?: number;
  seenCapacity?: number;
  /** Updates whose gossip payload is larger go to every neighbour as PUSH instead. Default 256 KiB. */
  maxGossipBytes?: number;
  /** Stamp updates with the wall clock (live arrival latency). Default false. */
  stampUpdates?: boolean;
  /** Check every Yjs update and awareness payload from a peer before applying it. Default true. */
  validate?: boolean;
  /** A peer that broke the protocol is refused for this long. Default 30 s. */
  banMs?: number;
  /** Routed envelopes accepted per link: per second, and burst. Defaults 200 and 400. */
  relayRate?: number;
  relayBurst?: number;
  /** Sync requests (each answered with a diff) accepted per link: per second, and burst. Defaults 10 and 20. */
  syncRate?: number;
  syncBurst?: number;
  /** A link that exceeds a rate bound this many times within 10 s floods: it is cut and banned. Default 100. */
  floodLimit?: number;
}

export type ResolvedOptions = Required<SyncOptions>;

export const DEFAULT_OPTIONS: Omit<ResolvedOptions, 'room'> = {
  dissemination: 'plumtree',
  degree: 4,
  maxLinks: 8,
  bootstrapLinks: 1,
  shuffleMs: 10_000,
  antiEntropyMs: 1000,
  antiEntropySettleMs: 1000,
  tickMs: 250,
  heartbeatMs: 500,
  deadLinkMs: 1500,
  connectTimeoutMs: 10_000,
  helloMs: 1000,
  helloAnswerMs: 150,
  announceMs: 300_000,
  idBits: 64,
  k: 8,
  alpha: 3,
  rpcTimeoutMs: 1000,
  graftTimeoutMs: 30,
  lazyDelayMs: 0,
  lazyFanout: 2,
  cacheSize: 256,
  seenCapacity: 20_000,
  maxGossipBytes: 256 * 1024,
  stampUpdates: false,
  validate: true,
  banMs: 30_000,
  relayRate: 200,
  relayBurst: 400,
  syncRate: 10,
  syncBurst: 20,
  floodLimit: 100,
};

const INTS: [keyof ResolvedOptions, number, number][] = [
  ['degree', 1, 64],
  ['maxLinks', 1, 256],
  ['bootstrapLinks', 1, 16],
  ['idBits', 16, 160],
  ['k', 2, 32],
  ['alpha', 1, 8],
  ['lazyFanout', 0, 256],
  ['cacheSize', 0, 1_000_000],
  ['seenCapacity', 16, 10_000_000],
  ['floodLimit', 1, 1_000_000],
];

const TIMES: (keyof ResolvedOptions)[] = [
  'shuffleMs', 'antiEntropyMs', 'antiEntropySettleMs', 'tickMs', 'heartbeatMs', 'deadLinkMs', 'connectTimeoutMs', 'helloMs', 'helloAnswerMs',
  'announceMs', 'rpcTimeoutMs', 'graftTimeoutMs', 'lazyDelayMs', 'banMs',
];

/** Fills in defaults and checks every option; throws SyncConfigError naming the first bad one. */
export function resolveOptions(o: SyncOptions, prefix = ''): ResolvedOptions {
  const r = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ResolvedOptions;
  if (typeof r.room !== 'string' || r.room.length === 0 || r.room.length > 512) throw new SyncConfigError(`${prefix}room`, 'expected a name of 1-512 characters');
  if (r.dissemination !== 'plumtree' && r.dissemination !== 'flood')
    throw new SyncConfigError(`${prefix}dissemination`, `expected plumtree or flood, got ${JSON.stringify(r.dissemination)}`);
  for (const [k, lo, hi] of INTS) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new SyncConfigError(`${prefix}${k}`, `expected an integer in [${lo}, ${hi}], got ${String(v)}`);
  }
  for (const k of TIMES) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SyncConfigError(`${prefix}${k}`, `expected a duration >= 0 ms, got ${String(v)}`);
  }
  for (const k of ['tickMs', 'heartbeatMs', 'deadLinkMs', 'rpcTimeoutMs', 'graftTimeoutMs', 'helloMs', 'connectTimeoutMs'] as const)
    if (r[k] <= 0) throw new SyncConfigError(`${prefix}${k}`, 'must be > 0');
  for (const k of ['relayRate', 'relayBurst', 'syncRate', 'syncBurst', 'maxGossipBytes'] as const) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new SyncConfigError(`${prefix}${k}`, `expected a number > 0, got ${String(v)}`);
  }
  if (r.maxLinks < r.degree) throw new SyncConfigError(`${prefix}maxLinks`, `must be >= degree (${r.degree}), got ${r.maxLinks}`);
  if (r.deadLinkMs <= r.heartbeatMs) throw new SyncConfigError(`${prefix}deadLinkMs`, `must exceed heartbeatMs (${r.heartbeatMs})`);
  if (typeof r.stampUpdates !== 'boolean') throw new SyncConfigError(`${prefix}stampUpdates`, 'expected true or false');
  if (typeof r.validate !== 'boolean') throw new SyncConfigError(`${prefix}validate`, 'expected true or false');
  return r;
}

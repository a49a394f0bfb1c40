/**
 * The `protocol.type: sync` scenario keys (`protocol:` and `workload:`), as zod schemas with defaults.
 * Every key is documented here with its default; docs/sync.md shows them in a scenario.
 *
 * The overlay's own keys map onto SyncOptions (src/protocols/sync/options.ts). Their defaults here differ
 * from a live peer's where the modelled network is slower than a LAN: the heartbeat, the DHT timeout and
 * Plumtree's graft wait scale with wide-area round trips.
 */
import { z } from 'zod';
import { intIn as int, numIn as num } from '../../../core/schema.js';

export const SYNC_MODES = ['overlay', 'ywebrtc', 'flood'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const syncParams = z.object({
  /** The room the peers join (its DHT key; default 'room'). A population added to the live network
   * (`live.addSimulated`) joins the live room of this name through a bridge peer, and must name the
   * room the live network is in (src/live/mixed/). */
  room: z.string().regex(/^[\w.-]{1,64}$/, 'a room name: letters, digits and . - _ (1-64)').optional(),
  /** overlay: DHT discovery, Plumtree, anti-entropy. ywebrtc: a model of the stock y-webrtc provider
   * (a mesh of 20-34 connections per peer met through signaling; every update to every connection).
   * flood: the overlay's links and discovery, but every update flooded to every neighbour. */
  mode: z.enum(SYNC_MODES).default('overlay'),
  /** Overlay: links a peer tries to keep. */
  degree: int(1, 64).default(5),
  /** Overlay: links a peer accepts at most. */
  maxLinks: int(1, 256).default(10),
  /** Overlay: links a joiner takes from the signaling server. */
  bootstrapLinks: int(1, 16).default(1),
  /** Overlay: period of the link shuffle (one new link to a random member, the oldest dropped above degree + 1). */
  shuffleMs: num(100).default(30_000),
  /** Overlay: period of digest anti-entropy with one random neighbour. */
  antiEntropyMs: num(10).default(5000),
  /** Overlay: housekeeping period (liveness, degree, retries). */
  tickMs: num(10).default(500),
  /** Overlay: a link silent this long gets a PING; silent for deadLinkMs it is closed. */
  heartbeatMs: num(10).default(1000),
  deadLinkMs: num(20).default(3000),
  /** Overlay: a negotiation not open within this time is given up. */
  connectTimeoutMs: num(100).default(15_000),
  /** Overlay: a peer with no link says hello this often (doubling up to 8x). */
  helloMs: num(10).default(1000),
  /** Overlay: members wait up to this long (random) before answering a hello. */
  helloAnswerMs: num(0).default(300),
  /** Overlay DHT: bucket size, parallelism, request timeout, id width. */
  k: int(2, 32).default(8),
  alpha: int(1, 8).default(3),
  rpcTimeoutMs: num(10).default(2000),
  idBits: int(16, 160).default(64),
  /** Overlay (plumtree): wait after an IHAVE before GRAFTing; IHAVE batching; IHAVEs per message. */
  graftTimeoutMs: num(1).default(150),
  lazyDelayMs: num(0).default(0),
  lazyFanout: int(0, 256).default(2),
  /** Overlay: updates whose gossip payload is larger are pushed to every neighbour instead. */
  maxGossipBytes: int(64, 64 * 1024 * 1024).default(256 * 1024),
  /** ywebrtc: connections a peer initiates at most: 20 + a random 0..maxConnsRandom (y-webrtc's default). */
  maxConnsBase: int(1, 1000).default(20),
  maxConnsRandom: int(0, 1000).default(14),
  /** ywebrtc: a connection that carries nothing (not even ICE consent checks) this long is closed
   * (WebRTC's ICE consent freshness: ~30 s). */
  ywebrtcTimeoutMs: num(100).default(30_000),
  /** One-way delay from a peer to the signaling server (and from it to the receiver). */
  signalingMs: num(0).default(40),
  /** A link opens this many round trips after its answer arrives (ICE checks, DTLS, SCTP). */
  connectRtts: num(0).default(2),
  /** Bytes of a session description (offer or answer) and of one ICE candidate message. */
  sdpBytes: int(10, 65536).default(450),
  /** A signaling hello reaches at most this many subscribers besides the joiner's DHT neighbourhood
   * (the rest would hold back anyway); the server's fan-out is counted in full. */
  signalingFanout: int(8, 1_000_000).default(2000),
});
export type SyncParams = z.infer<typeof syncParams>;

export const syncWorkload = z.object({
  /** Peers that edit (the first ones to be online, in a seeded random order). */
  editors: int(1, 1_000_000).default(20),
  /** Edits in all. */
  edits: int(0, 10_000_000).default(1000),
  /** First edit. */
  startMs: num(0).default(20_000),
  /** Mean gap between two edits in the room (exponential gaps). */
  intervalMs: num(0).default(100),
  /** Share of edits that insert (the rest delete). */
  insertFraction: num(0, 1).default(0.8),
  /** Characters an insert adds: uniform in [1, insertChars]. */
  insertChars: int(1, 1_000_000).default(8),
  /** Characters a delete removes: uniform in [1, deleteChars]. */
  deleteChars: int(1, 1_000_000).default(4),
  /** Share of edits made at one shared spot of the text (concurrent edits of the same region). */
  sameRegion: num(0, 1).default(0.2),
  /** Every edit also moves the editor's cursor (an awareness update, spread like updates). */
  awareness: z.boolean().default(false),
  /** Peers that join after the edits (their join cost is measured: joinBytesPerDocByte). */
  joiners: int(0, 1_000_000).default(20),
  /** When the joiners join (default: 10 s after the last edit). */
  joinAtMs: num(0).optional(),
  /** Peers online at the start join over this window (0: all at once). */
  joinWindowMs: num(0).default(10_000),
});
export type SyncWorkload = z.infer<typeof syncWorkload>;

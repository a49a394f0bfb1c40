/**
 * The live network's commands and events on the LabHost contract (schemas only; behaviour is
 * `plugin.ts` over src/live/live-network.ts). Listed in src/host/groups.ts.
 */
import { z } from 'zod';
import { command, defineGroup } from '../contract.js';
import { newTrustStats, type Behaviour, type TrustStats } from '../../protocols/sync/index.js';
import { recordingState, savedRecording } from '../lab-group.js';

const empty = z.strictObject({}).optional().default({});
export const syncMode = z.enum(['overlay', 'ywebrtc']);
const peerId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const docName = z.string().regex(/^[\w.:/ -]{1,128}$/, 'letters, digits, space and . : / - _ (1-128)');
const roomName = z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits and . - _ (1-64)');

const icePolicy = z.enum(['all', 'relay']);
const iceUrl = z.string().min(1).max(256);
const iceSecret = z.string().min(1).max(512);
/** One STUN/TURN server of the room; src/live/ice.ts checks the URLs' grammar. */
const iceServerSetting = z.strictObject({
  urls: z.union([iceUrl, z.array(iceUrl).min(1).max(4)]),
  username: iceSecret.optional(),
  credential: iceSecret.optional(),
  /** 'rest': credentials minted per peer from the host's TURN secret (never given out). */
  auth: z.literal('rest').optional(),
});

export const liveInfo = z.object({
  room: z.string(),
  mode: syncMode,
  hasPassword: z.boolean(),
  signalingUrl: z.string().nullable(),
  embeddedSignaling: z.boolean(),
  docs: z.array(z.string()),
  nodePeers: z.number().int().min(0),
  /** The room's ICE servers without their credentials. */
  ice: z.object({ servers: z.array(z.object({ urls: z.array(z.string()), auth: z.enum(['static', 'rest', 'none']) })), policy: icePolicy }),
  bindAddress: z.string(),
  turnSecret: z.boolean(),
  /** Whether the room runs the sync peer's trust layer (keys, sealed updates, reputation, cuts, rewiring). */
  trust: z.boolean(),
});
export type LiveInfoData = z.infer<typeof liveInfo>;

const linkInfo = z.object({
  peer: z.number(),
  open: z.boolean(),
  initiator: z.boolean(),
  bytesIn: z.number().min(0),
  bytesOut: z.number().min(0),
  messagesIn: z.number().min(0),
  messagesOut: z.number().min(0),
  lastHeard: z.number(),
  /** How the link was found: through signaling, in the DHT, or by the partial view's shuffle. */
  found: z.enum(['bootstrap', 'dht', 'shuffle']).optional(),
  /** With trust: how rewiring holds it (a kept random link, one its metric chose, a trial being measured). */
  kind: z.enum(['random', 'metric', 'trial']).optional(),
  /** With trust, reported by an honest peer: its trust in the far end, 0..1 (a stranger is 0.5). */
  score: z.number().min(0).max(1).optional(),
  /** With trust: the link's round-trip time (moving average), once measured. */
  rttMs: z.number().min(0).optional(),
});
const docInfo = z.object({
  name: z.string().max(128),
  stateVector: z.record(z.string().max(20), z.number()),
  pending: z.boolean(),
  length: z.number().int().min(0),
});
const latencyStat = z.object({ n: z.number().int().min(0), p50: z.number(), p99: z.number() });
/** What a peer does: honest, or one of the attacks of src/protocols/sync/trust/behaviours.ts. */
export const behaviour = z.enum(['honest', 'drop', 'corrupt', 'spam', 'badmouth']) satisfies z.ZodType<Behaviour>;
export type LiveBehaviour = z.infer<typeof behaviour>;
/** The trust layer's counters (src/protocols/sync/trust/io.ts TrustStats), each a count. */
const trustStats = z.object(Object.fromEntries(Object.keys(newTrustStats()).map((k) => [k, z.number().min(0)])) as Record<keyof TrustStats, z.ZodNumber>);
/** What a peer with trust on reports of itself: its behaviour, the peers it cut off, its counters. */
const trustReport = z.object({
  behaviour,
  cuts: z.array(peerId).max(64),
  stats: trustStats,
});
/** A peer's trust as the room sees it (src/live/trust-view.ts): its own report plus its neighbours' judgements of it. */
const peerTrust = trustReport.extend({
  /** Mean trust the room's judging peers that hold a view of it have in it (0 from one that cut it); absent when none does. */
  heldScore: z.number().min(0).max(1).optional(),
  /** Whether at least one peer cut it off, and how many did. */
  cut: z.boolean(),
  cutBy: z.number().int().min(0),
});

export const livePeer = z.object({
  id: peerId,
  name: z.string().max(64),
  /** simulated: a peer of a simulated population; bridge: the live peer in the host that joins it to the room. */
  kind: z.enum(['node', 'browser', 'simulated', 'bridge']),
  alive: z.boolean(),
  mode: syncMode,
  links: z.array(linkInfo).max(64),
  docs: z.array(docInfo).max(32),
  latency: z.record(z.string().max(20), latencyStat),
  violations: z.number().int().min(0),
  updatedAt: z.number(),
  /** What keeps the peer from working (no relay address from its TURN servers, a failed start), or null. */
  error: z.string().max(500).nullable().optional(),
  /** The simulated population (live.addSimulated) a simulated peer or bridge belongs to. */
  population: z.number().int().min(1).optional(),
  /** With trust on (overlay mode). */
  trust: peerTrust.optional(),
});
export type LivePeerData = z.infer<typeof livePeer>;

const liveConfigure = z.strictObject({
  room: roomName.optional(),
  password: z.string().min(1).max(256).nullable().optional(),
  signaling: z.string().regex(/^wss?:\/\/\S{1,500}$/, 'a ws:// or wss:// URL').nullable().optional(),
  ice: z.strictObject({ servers: z.array(iceServerSetting).max(8), policy: icePolicy.optional() }).optional(),
  bindAddress: z.string().max(45).optional(),
  trust: z.boolean().optional(),
});
export type LiveConfigureArgs = z.input<typeof liveConfigure>;

/** A simulated population in the room (src/live/mixed/): its size, its bridge, and how well it keeps up with the wall clock. */
export const simulatedPopulation = z.object({
  id: z.number().int().min(1),
  room: z.string(),
  doc: z.string(),
  /** Simulated peers (the bridge's slot among them), and those online now. */
  peers: z.number().int().min(0),
  online: z.number().int().min(0),
  /** The bridge's live peer id. */
  bridge: z.number(),
  /** Edits the population's workload made so far. */
  edits: z.number().int().min(0),
  /** Virtual ms simulated, events run, wall ms spent running them. */
  timeMs: z.number(),
  events: z.number(),
  busyMs: z.number(),
  /** How late (wall ms) simulated events ran: p99 of recent slices, and the worst. */
  lateP99Ms: z.number(),
  maxLateMs: z.number(),
});
export type SimulatedPopulationData = z.infer<typeof simulatedPopulation>;

const addSimulated = z.strictObject({
  count: z.number().int().min(1).max(2000),
  /** A protocol.type: sync scenario (YAML or JSON) for the population; count sets its peers. */
  scenario: z.string().min(1).max(1024 * 1024).optional(),
  /** The room's document the population edits (default: the first). */
  doc: docName.optional(),
  /** Without a scenario: simulated peers that edit, their edits per second in all and in total (default: no end), one-way latency range, arrival window, awareness, seed. */
  editors: z.number().int().min(0).max(2000).optional(),
  editsPerSecond: z.number().min(0).max(100).optional(),
  edits: z.number().int().min(0).max(10_000_000).optional(),
  latencyMs: z.tuple([z.number().min(0).max(10_000), z.number().min(0).max(10_000)]).optional(),
  joinSeconds: z.number().min(0).max(600).optional(),
  /** Editors' cursors spread as awareness and cross the bridge (default true). */
  awareness: z.boolean().optional(),
  seed: z.number().int().min(0).max(2 ** 31).optional(),
});

/** A recording of the room (live-recording.ts), or null when none was started. */
export const liveRecordState = recordingState.extend({ room: z.string() }).nullable();

export const liveGroup = defineGroup({
  name: 'live',
  commands: {
    'live.info': command('the room, mode, signaling URL and documents', empty, liveInfo),
    'live.join': command(
      "what this app's own windows need to join the room as peers (includes the room password)",
      empty,
      liveInfo.extend({
        password: z.string().nullable(),
        /** The RTCPeerConnection configuration for the window's peer, with credentials. */
        rtcConfig: z.object({
          iceServers: z.array(z.object({ urls: z.array(z.string()), username: z.string().optional(), credential: z.string().optional() })),
          iceTransportPolicy: icePolicy,
        }),
      }),
    ),
    'live.configure': command(
      'set room, password, a remote signaling server (null = embedded on 127.0.0.1), STUN/TURN servers, the address Node peers bind ICE to, trust on or off; Node peers rejoin',
      liveConfigure,
      liveInfo,
    ),
    'live.setMode': command('switch the sync mode of the room (every Node peer; windows follow the event)', z.strictObject({ mode: syncMode }), liveInfo),
    'live.openDoc': command('open a document in the room on every Node peer', z.strictObject({ name: docName }), z.object({ docs: z.array(z.string()) })),
    'live.addPeer': command(
      'start a Node peer (its own process); a behaviour other than honest makes it an attacker (the room needs trust)',
      z.strictObject({ name: z.string().min(1).max(64).optional(), behaviour: behaviour.optional() }).optional().default({}),
      livePeer,
    ),
    'live.removePeer': command('a Node peer leaves gracefully', z.strictObject({ id: peerId }), z.object({ ok: z.literal(true) })),
    'live.killPeer': command('SIGKILL a Node peer (its log survives; restart it later)', z.strictObject({ id: peerId }), z.object({ ok: z.literal(true) })),
    'live.restartPeer': command('restart a killed Node peer from its log', z.strictObject({ id: peerId }), livePeer),
    'live.type': command(
      'a Node peer types random words into a document',
      z.strictObject({ id: peerId, doc: docName, count: z.number().int().min(1).max(100_000), intervalMs: z.number().int().min(0).max(10_000).default(50) }),
      z.object({ ok: z.literal(true) }),
    ),
    'live.addSimulated': command(
      'add a population of simulated sync peers, run in real time in the host and joined to the room by a bridge peer (docs/sync.md, Mixed rooms)',
      addSimulated,
      simulatedPopulation,
    ),
    'live.removeSimulated': command('a simulated population leaves the room', z.strictObject({ id: z.number().int().min(1).max(1024) }), z.object({ ok: z.literal(true) })),
    'live.simulated': command('the simulated populations in the room', empty, z.object({ populations: z.array(simulatedPopulation) })),
    'live.peers': command('state of every peer: links, traffic, state vectors, pending, latency', empty, z.object({ peers: z.array(livePeer) })),
    'live.replica': command(
      "the text of a document as one peer holds it: a Node peer's, a bridge's or a simulated peer's (a window's replica is in that window)",
      z.strictObject({ id: peerId, doc: docName }),
      z.object({ text: z.string() }),
    ),
    'live.record.start': command(
      'record the room (topology, link kinds, sync progress, trust) into a recording the Lab replays: a frame every everyMs of wall time',
      z.strictObject({ everyMs: z.number().int().min(100).max(60_000).optional(), maxPeers: z.number().int().min(1).max(20_000).optional() }).optional().default({}),
      liveRecordState,
    ),
    'live.record.stop': command('stop recording the room (kept for live.record.save)', empty, liveRecordState),
    'live.record.save': command('the room recording so far, as the text of a recording file (open it with lab.replay.open)', empty, savedRecording),
    'live.record.state': command('the room recording, or null', empty, liveRecordState),
    'live.reportPeer': command(
      'a window/tab peer reports its own state (for the overlay view)',
      livePeer.omit({ kind: true, alive: true, updatedAt: true, population: true, trust: true }).extend({ trust: trustReport.nullable().optional() }),
      z.object({ ok: z.literal(true) }),
    ),
  },
  events: {
    'live.info': liveInfo,
    'live.peers': z.object({ peers: z.array(livePeer) }),
    'live.record': liveRecordState,
  },
});

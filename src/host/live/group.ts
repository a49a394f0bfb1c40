/**
 * The live network's commands and events on the LabHost contract (schemas only; behaviour is
 * `plugin.ts` over src/live/network.ts). Listed in src/host/groups.ts.
 */
import { z } from 'zod';
import { command, defineGroup } from '../contract.js';

const empty = z.strictObject({}).optional().default({});
export const syncMode = z.enum(['overlay', 'ywebrtc']);
const peerId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const docName = z.string().regex(/^[\w.:/ -]{1,128}$/, 'letters, digits, space and . : / - _ (1-128)');
const roomName = z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits and . - _ (1-64)');

export const liveInfo = z.object({
  room: z.string(),
  mode: syncMode,
  hasPassword: z.boolean(),
  signalingUrl: z.string().nullable(),
  embeddedSignaling: z.boolean(),
  docs: z.array(z.string()),
  nodePeers: z.number().int().min(0),
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
});
const docInfo = z.object({
  name: z.string().max(128),
  stateVector: z.record(z.string().max(20), z.number()),
  pending: z.boolean(),
  length: z.number().int().min(0),
});
const latencyStat = z.object({ n: z.number().int().min(0), p50: z.number(), p99: z.number() });

export const livePeer = z.object({
  id: peerId,
  name: z.string().max(64),
  kind: z.enum(['node', 'browser']),
  alive: z.boolean(),
  mode: syncMode,
  links: z.array(linkInfo).max(64),
  docs: z.array(docInfo).max(32),
  latency: z.record(z.string().max(20), latencyStat),
  violations: z.number().int().min(0),
  updatedAt: z.number(),
});
export type LivePeerData = z.infer<typeof livePeer>;

export const liveGroup = defineGroup({
  name: 'live',
  commands: {
    'live.info': command('the room, mode, signaling URL and documents', empty, liveInfo),
    'live.join': command(
      "what this app's own windows need to join the room as peers (includes the room password)",
      empty,
      liveInfo.extend({ password: z.string().nullable() }),
    ),
    'live.configure': command(
      'set room, password, or a remote signaling server (null = embedded on 127.0.0.1); Node peers rejoin',
      z.strictObject({
        room: roomName.optional(),
        password: z.string().min(1).max(256).nullable().optional(),
        signaling: z.string().regex(/^wss?:\/\/\S{1,500}$/, 'a ws:// or wss:// URL').nullable().optional(),
      }),
      liveInfo,
    ),
    'live.setMode': command('switch the sync mode of the room (every Node peer; windows follow the event)', z.strictObject({ mode: syncMode }), liveInfo),
    'live.openDoc': command('open a document in the room on every Node peer', z.strictObject({ name: docName }), z.object({ docs: z.array(z.string()) })),
    'live.addPeer': command('start a Node peer (its own process)', z.strictObject({ name: z.string().min(1).max(64).optional() }).optional().default({}), livePeer),
    'live.removePeer': command('a Node peer leaves gracefully', z.strictObject({ id: peerId }), z.object({ ok: z.literal(true) })),
    'live.killPeer': command('SIGKILL a Node peer (its log survives; restart it later)', z.strictObject({ id: peerId }), z.object({ ok: z.literal(true) })),
    'live.restartPeer': command('restart a killed Node peer from its log', z.strictObject({ id: peerId }), livePeer),
    'live.type': command(
      'a Node peer types random words into a document',
      z.strictObject({ id: peerId, doc: docName, count: z.number().int().min(1).max(100_000), intervalMs: z.number().int().min(0).max(10_000).default(50) }),
      z.object({ ok: z.literal(true) }),
    ),
    'live.peers': command('state of every peer: links, traffic, state vectors, pending, latency', empty, z.object({ peers: z.array(livePeer) })),
    'live.reportPeer': command(
      'a window/tab peer reports its own state (for the overlay view)',
      livePeer.omit({ kind: true, alive: true, updatedAt: true }),
      z.object({ ok: z.literal(true) }),
    ),
  },
  events: {
    'live.info': liveInfo,
    'live.peers': z.object({ peers: z.array(livePeer) }),
  },
});

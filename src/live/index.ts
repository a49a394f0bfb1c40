/**
 * The live network: real WebRTC peers co-editing Yjs documents (see docs/live.md).
 *
 * - signaling/   y-webrtc-compatible signaling server (bounded, loopback by default) and its client
 * - link.ts      one RTCPeerConnection + data channel (W3C API: browser or node-datachannel, rtc-node.ts)
 * - overlay/     OverlayRoom: the sans-IO sync peer (src/protocols/sync) over real timers, data channels
 *                and a signaling server (bootstrap only)
 * - persistence/ the checksummed, compacted append-only update log of Node peers
 * - peer.ts      LivePeer (Node); peer-process*.ts run each Node peer in its own process
 * - browser-peer.ts  BrowserPeer (windows/tabs; IndexedDB)   live-network.ts  what the host runs
 * - edits.ts     random edits with latency stamps (`peerlab bench sync` measures with them)
 *
 * This index is for Node code (host, CLI, tests); the renderer imports browser-peer.ts directly.
 */
export { SignalingServer, startSignaling, type SignalingOptions, type SignalingStats } from './signaling/server.js';
export { SignalingClient } from './signaling/client.js';
export { Link } from './link.js';
export { nodeWrtc } from './rtc-node.js';
export { OverlayRoom, type OverlayOptions, type LinkInfo, type DocInfo } from './overlay/room.js';
export { type CoreName } from './room-sync.js';
export { UpdateLog, persistDoc, parseLog, LogFormatError, LogLockedError, type FsyncPolicy } from './persistence/update-log.js';
export { LivePeer, type LivePeerOptions, type PeerReport, type SyncMode } from './peer.js';
export { PeerProcess } from './peer-process-client.js';
export { LiveNetwork, LiveNetworkError, type LiveNetworkOptions } from './live-network.js';

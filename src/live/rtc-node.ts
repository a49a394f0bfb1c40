/**
 * WebRTC for Node peers: node-datachannel's W3C polyfill, adjusted for loopback lab work.
 * - ICE binds to `bindAddress` (127.0.0.1 by default) and uses no STUN/TURN servers, so no packet
 *   leaves the machine unless a remote address is configured on purpose.
 * - createOffer/createAnswer return plain `{ type, sdp }` objects: the polyfill's RTCSessionDescription
 *   has a read-only `sdp`, and simple-peer (inside y-webrtc) assigns `offer.sdp`.
 * The result is a standard `RTCPeerConnection` constructor, used both by y-webrtc (as simple-peer's
 * `wrtc`) and by peerlab's own overlay links.
 */
import polyfill from 'node-datachannel/polyfill';

export interface NodeRtcOptions {
  /** Local address ICE binds to. Default '127.0.0.1'; '' lets libdatachannel pick all interfaces. */
  bindAddress?: string;
  /** ICE servers (STUN/TURN urls). Default none. */
  iceServers?: RTCIceServer[];
}

export interface WrtcLike {
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
}

export function nodeWrtc(opts: NodeRtcOptions = {}): WrtcLike {
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const iceServers = opts.iceServers ?? [];
  const Base = polyfill.RTCPeerConnection;
  class LabPeerConnection extends Base {
    constructor(config: RTCConfiguration = {}) {
      const cfg: Record<string, unknown> = { ...config, iceServers };
      if (bindAddress) cfg.bindAddress = bindAddress;
      super(cfg as RTCConfiguration);
    }
    override async createOffer(): Promise<RTCSessionDescriptionInit> {
      const d = (await super.createOffer()) as RTCSessionDescriptionInit;
      return { type: d.type, sdp: d.sdp ?? '' };
    }
    override async createAnswer(): Promise<RTCSessionDescriptionInit> {
      const d = (await super.createAnswer()) as RTCSessionDescriptionInit;
      return { type: d.type, sdp: d.sdp ?? '' };
    }
  }
  return {
    RTCPeerConnection: LabPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
    RTCSessionDescription: polyfill.RTCSessionDescription,
    RTCIceCandidate: polyfill.RTCIceCandidate,
  };
}

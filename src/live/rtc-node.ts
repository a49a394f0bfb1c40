/**
 * WebRTC for Node peers: node-datachannel's W3C polyfill, adjusted for lab work and for peers on
 * several networks.
 * - ICE binds to `bindAddress` (127.0.0.1 by default) and uses no STUN/TURN servers unless given, so
 *   no packet leaves the machine unless a remote address is configured on purpose.
 * - ICE servers and `iceTransportPolicy` are the peer's own, applied to every connection whatever
 *   configuration the caller passes (y-webrtc's simple-peer and the overlay's links pass their own).
 *   They reach libdatachannel as objects, not the polyfill's `turn:user:pass@host` strings, so a
 *   username with ':' (every TURN REST username, `<expiry>:<name>`) or a credential with '/' or '@'
 *   (base64) arrives intact.
 * - createOffer/createAnswer return plain `{ type, sdp }` objects: the polyfill's RTCSessionDescription
 *   has a read-only `sdp`, and simple-peer (inside y-webrtc) assigns `offer.sdp`.
 * - An offerer keeps its ICE candidates to itself until the answer is applied (`offerCandidates`):
 *   its local description reads without them and its `icecandidate` events wait. libdatachannel 0.24
 *   gives the answer's ICE credentials to the ICE agent before it commits the answer (with the remote
 *   certificate fingerprint); an answerer that already knew our candidates has been sending checks, so
 *   ICE could connect in that gap, DTLS then checked the peer's certificate against no fingerprint,
 *   refused it, and the connection closed ("Got a remote candidate without ICE transport" for the
 *   answer's candidates). With no candidate of ours known to the answerer, no check reaches us before
 *   the answer is committed. Once it is, the candidates go out (the events fire; Link sends them as one
 *   more negotiation step) and the answerer adds them: its TURN permissions and hole punching need them.
 * The result is a standard `RTCPeerConnection` constructor, used both by y-webrtc (as simple-peer's
 * `wrtc`) and by peerlab's own overlay links.
 */
import { PeerConnection, type IceServer as NativeIceServer } from 'node-datachannel';
import polyfill from 'node-datachannel/polyfill';
import { parseIceUrl, type IceServer, type IceTransportPolicy } from './ice.js';
import { withoutCandidates } from './sdp.js';

export interface NodeRtcOptions {
  /** Local address ICE binds to. Default '127.0.0.1'; '' lets libdatachannel pick all interfaces. */
  bindAddress?: string;
  /** ICE servers (STUN/TURN, validated: see ice.ts). Default none. */
  iceServers?: IceServer[];
  /** 'relay': relayed (TURN) candidates only. Default 'all'. */
  iceTransportPolicy?: IceTransportPolicy;
  /**
   * When an offerer's ICE candidates show: 'after-answer' (default: withheld until its answer is
   * applied, see above), or 'at-once' for a connection that only gathers and never negotiates (a
   * TURN relay check counts the candidates of an offer no one answers).
   */
  offerCandidates?: 'after-answer' | 'at-once';
}

export interface WrtcLike {
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
}

/** The W3C servers as libdatachannel's objects: one per URL. */
export function nativeIceServers(servers: IceServer[]): NativeIceServer[] {
  return servers.flatMap((s) =>
    s.urls.map((u): NativeIceServer => {
      const url = parseIceUrl(u);
      if (url.scheme === 'stun') return { hostname: url.host, port: url.port };
      return {
        hostname: url.host,
        port: url.port,
        username: s.username ?? '',
        password: s.credential ?? '',
        relayType: url.scheme === 'turns' ? 'TurnTls' : url.transport === 'tcp' ? 'TurnTcp' : 'TurnUdp',
      };
    }),
  );
}

let connections = 0;

export function nodeWrtc(opts: NodeRtcOptions = {}): WrtcLike {
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const iceServers = nativeIceServers(opts.iceServers ?? []);
  const iceTransportPolicy = opts.iceTransportPolicy ?? 'all';
  const holdOfferCandidates = (opts.offerCandidates ?? 'after-answer') === 'after-answer';
  const Base = polyfill.RTCPeerConnection;
  class LabPeerConnection extends Base {
    constructor(_config: RTCConfiguration = {}) {
      const native = new PeerConnection(`peerlab-${++connections}`, {
        iceServers,
        iceTransportPolicy,
        ...(bindAddress ? { bindAddress } : {}),
      });
      super({ iceServers: [], iceTransportPolicy, peerConnection: native } as RTCConfiguration);
    }
    override async createOffer(): Promise<RTCSessionDescriptionInit> {
      const d = (await super.createOffer()) as RTCSessionDescriptionInit;
      return { type: d.type, sdp: d.sdp ?? '' };
    }
    override async createAnswer(): Promise<RTCSessionDescriptionInit> {
      const d = (await super.createAnswer()) as RTCSessionDescriptionInit;
      return { type: d.type, sdp: d.sdp ?? '' };
    }
    /** An offer of ours is out and its answer not applied yet: our candidates are not to be seen. */
    private get withholding(): boolean {
      return holdOfferCandidates && this.signalingState === 'have-local-offer';
    }
    private readonly heldCandidateEvents: Event[] = [];
    override get localDescription(): RTCSessionDescription {
      return this.shown(super.localDescription);
    }
    override get pendingLocalDescription(): RTCSessionDescription {
      return this.shown(super.pendingLocalDescription);
    }
    override get currentLocalDescription(): RTCSessionDescription {
      return this.shown(super.currentLocalDescription);
    }
    private shown(d: RTCSessionDescription): RTCSessionDescription {
      if (!d?.sdp || !this.withholding) return d;
      return new polyfill.RTCSessionDescription({ type: d.type, sdp: withoutCandidates(d.sdp) }) as RTCSessionDescription;
    }
    override dispatchEvent(ev: Event): boolean {
      if (ev.type === 'icecandidate' && this.withholding) {
        this.heldCandidateEvents.push(ev);
        return true;
      }
      return super.dispatchEvent(ev);
    }
    override async setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
      await super.setRemoteDescription(desc);
      if (this.withholding) return;
      for (const ev of this.heldCandidateEvents.splice(0)) super.dispatchEvent(ev);
    }
  }
  return {
    RTCPeerConnection: LabPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
    RTCSessionDescription: polyfill.RTCSessionDescription,
    RTCIceCandidate: polyfill.RTCIceCandidate,
  };
}

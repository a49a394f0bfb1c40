/**
 * Glare in stock y-webrtc (10.x), and how a RoomSync peer resolves it.
 *
 * y-webrtc opens a connection as initiator to every peer whose announce it hears. Two peers that enter a
 * room within a signaling round trip of each other hear each other's announce, so both open as initiator
 * and both offer: glare. Its check compares the offers' `glareToken`s (Date.now() + random): the side whose
 * own token is larger drops the other's offer and waits for its own to be answered; the other side accepts
 * the crossing offer, but hands it to the connection it already has, whose simple-peer is an initiator
 * with a data channel of its own. That one answers and the pair connects, yet each side sends on the data
 * channel it made and listens to none (simple-peer's initiator ignores `ondatachannel`): a connection that
 * reports open and carries nothing, for ever (a deaf pair); or setRemoteDescription(offer) fails in
 * have-local-offer and the other side waits for an answer that never comes.
 *
 * `resolveGlare` mends the accepting side through y-webrtc's public objects (its Room's `webrtcConns` and
 * the exported WebrtcConn), without changing y-webrtc:
 * - an offer that reaches a connection which offered itself, or already took an offer, is answered by a
 *   fresh answering WebrtcConn that takes the old one's place (WebRTC's rollback); the old one is closed
 *   without y-webrtc hearing of it (its close handler would drop the new connection and announce again);
 * - our tokens lie in [1, 2), below every stock token, and count only while an offer of ours is
 *   unanswered: against a stock peer we always take its offer (and answer it properly) while it always
 *   drops ours; between two RoomSync peers the larger token's offer stands, the same on both ends.
 * So a pair that meets at once ends with one working connection, made once, and nothing to retry.
 * Browser-safe: no Node imports.
 */
import { WebrtcConn, type Room, type SignalingConn, type WebrtcProvider } from 'y-webrtc';

/** The simple-peer inside a WebrtcConn: what glare handling reads and wraps (untyped upstream). */
interface SimplePeer {
  initiator: boolean;
  signal(data: unknown): void;
  destroy(): void;
  removeAllListeners(): void;
  on(event: 'error', f: () => void): void;
}

const signalType = (s: unknown): unknown => (typeof s === 'object' && s !== null ? (s as { type?: unknown }).type : undefined);

/**
 * Makes y-webrtc's `room` resolve glare as described above. Call once, as soon as the provider's Room
 * exists and before it connects; it wraps `room.webrtcConns.set`, so wrap that map's methods further only
 * after this call.
 */
export function resolveGlare(provider: WebrtcProvider, room: Room): void {
  const token = 1 + Math.random();
  const conns = room.webrtcConns;
  const set = conns.set.bind(conns);

  const adopt = (conn: WebrtcConn): void => {
    const peer = conn.peer as SimplePeer;
    let answered = false;
    let tookOffer = false;
    // y-webrtc stamps a token on the first signal a connection sends and clears it on an answer or an
    // accepted offer; ours is fixed and counts only while an offer of ours is outstanding, so a stale
    // token on an open connection never drops a peer's fresh offer.
    Object.defineProperty(conn, 'glareToken', {
      configurable: true,
      get: () => (peer.initiator && !answered && !conn.connected && !conn.closed ? token : undefined),
      set: () => {},
    });
    const signal = peer.signal.bind(peer);
    peer.signal = (data: unknown) => {
      const type = signalType(data);
      if (type === 'answer') answered = true;
      if (type !== 'offer') return signal(data);
      if (!peer.initiator && !tookOffer) {
        tookOffer = true;
        return signal(data);
      }
      const signaling = provider.signalingConns.at(-1) as SignalingConn | undefined;
      if (!signaling || conns.get(conn.remotePeerId) !== conn) return; // gone meanwhile: the offerer will announce again
      peer.removeAllListeners();
      peer.on('error', () => {}); // a late failure of the dropped peer must not throw
      peer.destroy();
      const fresh = new WebrtcConn(signaling, false, conn.remotePeerId, room);
      conns.set(conn.remotePeerId, fresh);
      (fresh.peer as SimplePeer).signal(data);
    };
  };

  conns.set = (key: string, conn: WebrtcConn) => {
    adopt(conn);
    return set(key, conn);
  };
}

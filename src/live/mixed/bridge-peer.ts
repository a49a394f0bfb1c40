/**
 * The bridge of a simulated population: a LivePeer like a Node peer's (the same OverlayRoom, WebRTC
 * through node-datachannel), that also gives the population its documents' awareness in the room, so
 * presence crosses the bridge as edits do (awareness-bridge.ts).
 */
import type * as awarenessProtocol from 'y-protocols/awareness';
import { LivePeer } from '../peer.js';

export class BridgePeer extends LivePeer {
  /** The room's awareness of an open document (overlay mode; null before `open` or in another mode). */
  awareness(name: string): awarenessProtocol.Awareness | null {
    const room = this.sync.overlay;
    if (!room?.doc(name)) return null;
    return room.openDoc(name).awareness;
  }
}

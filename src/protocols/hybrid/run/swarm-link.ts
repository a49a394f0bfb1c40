/**
 * How a peer's DHT side sees its swarm side: whether it is still downloading, how connected it is,
 * which piece groups are rare around it, and dialling the peers a lookup found.
 */
import type { PeerId } from '../../../core/index.js';
import type { Swarm } from '../../bittorrent/swarm.js';
import type { TorrentLink } from '../torrent-dht.js';

/** The swarm side of the run, shared by every peer's link. */
export interface SwarmSide {
  /** Set once the swarm is made (after the DHT, which joins first). */
  swarm: Swarm | null;
  pieces: number;
  groupSize: number;
  groups: number;
  rareMaxNeighbours: number;
}

/** One peer's link (a class, not closures: keyframes copy it). */
export class SwarmLink implements TorrentLink {
  constructor(
    private readonly peer: PeerId,
    private readonly side: SwarmSide,
  ) {}

  private state() {
    return this.side.swarm?.state(this.peer);
  }

  connect(peers: readonly PeerId[]): number {
    const swarm = this.side.swarm;
    return swarm ? swarm.connectTo(this.peer, peers) : 0;
  }

  downloading(): boolean {
    const st = this.state();
    const swarm = this.side.swarm;
    return st !== undefined && swarm !== null && st.haveCount < swarm.pieces;
  }

  connections(): number {
    return this.state()?.conns.size ?? 0;
  }

  progress(): number {
    return this.state()?.haveCount ?? 0;
  }

  connectedTo(q: PeerId): boolean {
    return this.state()?.conns.has(q) ?? false;
  }

  rareHeldGroups(): number[] {
    const st = this.state();
    if (!st || st.haveCount === 0) return [];
    const { swarm, rareMaxNeighbours } = this.side;
    if (swarm === null) return [];
    return this.groupsWith((p) => swarm.hasPiece(this.peer, p) && swarm.availability(this.peer, p) <= rareMaxNeighbours);
  }

  missingUnseenGroups(): number[] {
    if (!this.state()) return [];
    const swarm = this.side.swarm;
    if (swarm === null) return [];
    return this.groupsWith((p) => !swarm.hasPiece(this.peer, p) && swarm.availability(this.peer, p) === 0);
  }

  /** The groups holding at least one piece that passes `test`, in order. */
  private groupsWith(test: (piece: number) => boolean): number[] {
    const { pieces, groupSize: G, groups } = this.side;
    const out: number[] = [];
    for (let g = 0; g < groups; g++) {
      const end = Math.min(pieces, (g + 1) * G);
      for (let p = g * G; p < end; p++)
        if (test(p)) {
          out.push(g);
          break;
        }
    }
    return out;
  }
}

/** One swarm peer for the dashboard's inspector: its piece map, connections and choke state. */
import { boundedTable, type PeerInspection } from '../observation.js';
import { IdealSwarm } from './ideal/ideal-swarm.js';
import type { Swarm } from './swarm.js';

/** A swarm peer, or a peer of the ideal schedule (`scheduler: ideal`: no connections, only blocks). */
export function inspectSwarmPeer(swarm: Swarm | IdealSwarm, peer: number): PeerInspection {
  if (swarm instanceof IdealSwarm) return inspectIdealPeer(swarm, peer);
  const st = swarm.state(peer);
  if (!st) return { neighbours: [], sections: [] };
  const conns = st.conns.entries();
  const bits = pieceMap(swarm, peer);
  const unchoked = conns.filter(([, c]) => !c.amChoking).map(([q]) => q);
  return {
    neighbours: conns.map(([q]) => q),
    sections: [
      {
        kind: 'facts',
        title: 'Transfer',
        rows: [
          { label: 'Pieces held', value: st.haveCount, unit: 'count' },
          { label: 'Progress', value: swarm.pieces ? st.haveCount / swarm.pieces : 1, unit: 'fraction' },
          ...transferRows(st),
          { label: 'Sends corrupt data', value: st.corrupt },
        ],
      },
      { kind: 'bits', title: 'Piece map', label: 'pieces held (1) and missing (0), in order', bits },
      boundedTable(
        'Connections',
        [{ label: 'Peer' }, { label: 'I choke it' }, { label: 'It chokes me' }, { label: 'I am interested' }, { label: 'It is interested' }],
        conns.map(([q, c]) => [q, c.amChoking, c.peerChoking, c.amInterested, c.peerInterested]),
        { peerColumn: 0 },
      ),
      { kind: 'peers', title: 'Unchoked by it (it uploads to them)', peers: unchoked },
    ],
  };
}

/** The rows a swarm peer and a peer of the ideal schedule share. */
function transferRows(st: { downloaded: number; uploaded: number; doneAt: number; seed: boolean; freeRider: boolean }) {
  return [
    { label: 'Downloaded', value: st.downloaded, unit: 'bytes' },
    { label: 'Uploaded', value: st.uploaded, unit: 'bytes' },
    { label: 'Done at', value: st.doneAt >= 0 ? st.doneAt : null, unit: 'ms' },
    { label: 'Seed from the start', value: st.seed },
    { label: 'Free rider', value: st.freeRider },
  ] as const;
}

function pieceMap(swarm: { pieces: number; hasPiece(peer: number, piece: number): boolean }, peer: number): string {
  let bits = '';
  for (let i = 0; i < Math.min(swarm.pieces, 65_536); i++) bits += swarm.hasPiece(peer, i) ? '1' : '0';
  return bits;
}

function inspectIdealPeer(swarm: IdealSwarm, peer: number): PeerInspection {
  const st = swarm.state(peer);
  if (!st) return { neighbours: [], sections: [] };
  const sending = swarm.unchokedLinks(swarm.peers.length).filter(([u]) => u === peer).map(([, r]) => r);
  return {
    neighbours: sending,
    sections: [
      {
        kind: 'facts',
        title: 'Transfer (ideal schedule)',
        rows: [
          { label: 'Blocks held', value: st.blocks, unit: 'count' },
          { label: 'Pieces held', value: st.haveCount, unit: 'count' },
          { label: 'Progress', value: swarm.blocks ? st.blocks / swarm.blocks : 1, unit: 'fraction' },
          ...transferRows(st),
        ],
      },
      { kind: 'bits', title: 'Piece map', label: 'pieces held (1) and missing (0), in order', bits: pieceMap(swarm, peer) },
      { kind: 'peers', title: 'Blocks on the way from it to', peers: sending },
    ],
  };
}

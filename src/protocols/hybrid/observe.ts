/** What the BitTorrent + Kademlia hybrid measures and how it is drawn (../observation.ts). */
import { connectionKind, swarmMetrics, swarmSeries, swarmStates } from '../bittorrent/observe.js';
import { metric, type ProtocolObservation } from '../observation.js';

const m = metric;

export const observation: ProtocolObservation = {
  protocol: 'hybrid',
  metrics: [
    ...swarmMetrics,
    m('timeToFirstPeerMs', 'Time to first peer', 'ms', 'lower', 'Median time from a leecher’s arrival to its first connection.'),
    m('dhtMessagesPerPeer', 'DHT messages per peer', 'messages', 'lower', 'Kademlia messages sent, per peer.'),
    m('dhtBytesPerPeer', 'DHT bytes per peer', 'bytes', 'lower', 'Kademlia bytes sent, per peer.'),
    m('lookupsDone', 'DHT lookups', 'count', null, 'Lookups completed.'),
    m('lookupHops', 'Hops per lookup', 'hops', 'lower', 'Mean hops of a lookup.'),
    m('pieceLookups', 'Piece lookups', 'count', null, 'Lookups for holders of a piece group.'),
    m('pieceAnnounces', 'Piece announces', 'count', null, 'Announces of held piece groups.'),
    m('pieceDiscoveryBytesPerPeer', 'Piece discovery bytes per peer', 'bytes', 'lower', 'Bytes spent finding piece holders, per peer.'),
    m('swarmLookups', 'Swarm lookups', 'count', null, 'Lookups for peers of the torrent.'),
    m('announcesStored', 'Announces stored', 'count', null, 'Announces DHT nodes accepted.'),
    m('tokenRejects', 'Token rejects', 'count', 'lower', 'Announces refused for a bad token.'),
    m('malformedReplies', 'Malformed replies', 'count', 'lower', 'DHT replies dropped as malformed.'),
    m('dialsFromDht', 'Dials from the DHT', 'count', null, 'Connections tried to peers found in the DHT.'),
    m('connectionsOpened', 'Connections opened', 'count', null, 'Peer-wire connections opened.'),
    m('dialsFromPieceLookups', 'Dials from piece lookups', 'count', null, 'Connections tried to piece holders.'),
    m('dialsRefused', 'Dials refused', 'count', null, 'Connections refused (full or closed).'),
    m('trackerAnnounces', 'Tracker announces', 'count', null, 'Announces to the tracker.'),
    m('trackerBytesPerPeer', 'Tracker bytes per peer', 'bytes', 'lower', 'Tracker traffic per peer.'),
    m('peersWithoutPeer', 'Peers never connected', 'peers', 'lower', 'Leechers that never got a connection.'),
  ],
  series: [
    ...swarmSeries,
    m('connectedPeers', 'Connected peers', 'fraction', 'higher', 'Share of the online leechers with at least one connection.'),
    m('dhtBytesPerPeer', 'DHT bytes per peer', 'bytes', 'lower', 'Kademlia bytes sent per peer (cumulative).'),
    m('dhtMessagesPerPeer', 'DHT messages per peer', 'messages', 'lower', 'Kademlia messages sent per peer (cumulative).'),
  ],
  states: swarmStates.filter((s) => s.name !== 'done'),
  linkKinds: [connectionKind],
  events: [],
  value: { label: 'Download progress', unit: 'fraction', description: 'Share of the file’s pieces the peer holds.' },
};

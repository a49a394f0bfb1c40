/**
 * What `protocol.type: sync` measures and how it is drawn (the observation contract,
 * src/protocols/observation.ts): summary metrics, series, peer states (coloured by how far behind a
 * replica is) and link kinds (how a link was found).
 */
import { metric, type ProtocolObservation } from '../observation.js';
import type { SyncParams, SyncWorkload } from './sim/params.js';

const m = metric<SyncParams, SyncWorkload>;

const metrics = [
  m('mode', 'Mode', 'none', null, 'overlay (DHT discovery, Plumtree, anti-entropy), ywebrtc (the stock y-webrtc model) or flood.'),
  m('converged', 'Converged', 'none', 'higher', 'Every replica online at the end holds the same text and state vector, and every edit reached every replica online when it was made.'),
  m('distinctDigests', 'Distinct replicas', 'count', 'lower', 'Different documents among the replicas online at the end (1 when converged).'),
  m('edits', 'Edits', 'count', null, 'Edits made (an edit whose editors were all offline is skipped).'),
  m('editsUnconverged', 'Edits not everywhere', 'count', 'lower', 'Edits that never reached every replica online when they were made.'),
  m('convergenceP50Ms', 'Convergence p50', 'ms', 'lower', 'Median time from an edit until every replica online then has integrated it (by state vector).'),
  m('convergenceP99Ms', 'Convergence p99', 'ms', 'lower', '99th percentile of the same.'),
  m('convergenceMaxMs', 'Convergence max', 'ms', 'lower', 'The slowest edit to converge.'),
  m('bytesPerEditPerPeer', 'Bytes per edit per peer', 'bytes', 'lower', 'Document traffic (updates, tree repair, anti-entropy, sync steps) sent by all peers, over edits and peers.'),
  m('antiEntropyBytesPerPeer', 'Anti-entropy bytes per peer', 'bytes', 'lower', 'Digests, state vectors and diffs (and y-webrtc sync steps) per peer over the run.'),
  m('maxUploadBytesPerEdit', 'Busiest peer upload per edit', 'bytes', 'lower', 'Document traffic the busiest peer sent, over edits.'),
  m('joinBytesPerDocByte', 'Join cost', 'ratio', 'lower', 'Document traffic a late joiner receives until it has the document, over the document size (mean over joiners).'),
  m('joinersCaughtUp', 'Joiners caught up', 'count', 'higher', 'Late joiners that got the whole document.'),
  m('docBytes', 'Document size', 'bytes', null, 'The whole document, encoded (Y.encodeStateAsUpdate).'),
  m('signalingMessagesPerPeer', 'Signaling messages per peer', 'messages', 'lower', 'Messages peers published on the signaling server, per peer.'),
  m('signalingAfterFirstLinkPerPeer', 'Signaling after first link', 'messages', 'lower', 'Of those, sent after the peer had its first link (answers to joiners, partition healing).'),
  m('signalingFanoutPerPeer', 'Server fan-out per peer', 'messages', 'lower', 'Copies the signaling server sent (one per subscriber per message), per peer.'),
  m('linksPerPeer', 'Links per peer', 'count', null, 'Open links per online peer at the end.'),
  m('lookupHopsMean', 'DHT lookup hops', 'hops', 'lower', 'Mean hops of the Kademlia lookups (overlay and flood modes).'),
  m('totalBytesPerPeer', 'All bytes per peer', 'bytes', 'lower', 'Everything peers sent (document, awareness, DHT, negotiation, control), per peer.'),
  m('updateBytesPerPeer', 'Update bytes per peer', 'bytes', 'lower', 'Dissemination of updates (gossip, tree control, pushes; y-webrtc updates) per peer.'),
  m('awarenessBytesPerPeer', 'Awareness bytes per peer', 'bytes', 'lower', 'Cursor and presence updates per peer.'),
  m('dhtBytesPerPeer', 'DHT bytes per peer', 'bytes', 'lower', 'Kademlia and membership traffic (relayed), per peer.'),
  m('negotiationBytesPerPeer', 'Negotiation bytes per peer', 'bytes', 'lower', 'Offers and answers relayed through the overlay, per peer.'),
  m('controlBytesPerPeer', 'Control bytes per peer', 'bytes', 'lower', 'Heartbeats, goodbyes and (y-webrtc) ICE consent checks, per peer.'),
  m('linksOpened', 'Links opened', 'count', null, 'Links (connections) that opened during the run.'),
  m('linksTimedOut', 'Links timed out', 'count', null, 'Links closed because nothing was heard for the dead-link time.'),
  m('violations', 'Violations', 'count', 'lower', 'Links closed for breaking the wire rules.'),
];

export const observation: ProtocolObservation<SyncParams, SyncWorkload> = {
  protocol: 'sync',
  metrics,
  series: [
    m('synced', 'Replicas in sync', 'fraction', 'higher', 'Online replicas missing no edit.'),
    m('lagMean', 'Edits missing', 'count', 'lower', 'Mean edits an online replica lacks.'),
    m('linksMean', 'Links per peer', 'count', null, 'Mean open links of an online peer.'),
    m('edits', 'Edits made', 'count', null, 'Edits made so far.'),
  ],
  states: [
    { name: 'synced', label: 'In sync', colour: '#0d9488', description: 'Holds every edit made so far.' },
    { name: 'behind', label: 'Behind', colour: '#f59e0b', description: 'Lacks some edits (by state vector); the dot grows with how many.' },
    { name: 'alone', label: 'No link', colour: '#dc2626', description: 'Online without a link (joining, or cut off).' },
  ],
  linkKinds: [
    { name: 'bootstrap', label: 'Via signaling', colour: '#64748b', description: 'Made through the signaling server (a first link; every y-webrtc connection).', rewiring: false },
    { name: 'dht', label: 'Via DHT', colour: '#2563eb', description: 'To a member found in the DHT, negotiated through the overlay.', rewiring: false },
    { name: 'shuffle', label: 'Shuffle', colour: '#9333ea', dashed: true, description: 'Made by the periodic shuffle (a random member), negotiated through the overlay.', rewiring: false },
  ],
  events: [
    { kind: 'link-up', label: 'Link up', description: 'A link opened.' },
    { kind: 'link-down', label: 'Link down', description: 'A link closed.' },
  ],
  value: { label: 'Edits missing', unit: 'count', description: 'Edits this replica lacks.' },
};

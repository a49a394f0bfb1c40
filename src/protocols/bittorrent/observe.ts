/** What BitTorrent swarm runs measure and how they are drawn (../observation.ts). */
import { metric, type MetricSpec, type ProtocolObservation } from '../observation.js';

const m = metric;

/** Metrics the hybrid shares (its swarm is this one). */
export const swarmMetrics: MetricSpec[] = [
  m('meanCompletionMs', 'Mean completion time', 'ms', 'lower', 'Mean time from a leecher’s arrival to holding the whole file.'),
  m('lastCompletionMs', 'Last completion', 'ms', 'lower', 'When the last leecher finished.'),
  m('lowerBoundMs', 'Lower bound (Kumar-Ross)', 'ms', null, 'The least time any schedule needs to give every leecher the file, given the upload and download capacities.'),
  m('boundRatio', 'Last completion / bound', 'ratio', 'lower', 'How far the swarm is from the Kumar-Ross bound (1 = optimal).'),
  m('completed', 'Leechers done', 'fraction', 'higher', 'Share of the leechers that hold the whole file.'),
  m('pieces', 'Pieces', 'count', null, 'Pieces of the file.'),
  m('leechers', 'Leechers', 'peers', null, 'Peers that came to download.'),
  m('wastedBytes', 'Wasted bytes', 'bytes', 'lower', 'Bytes received that were not needed (duplicates, corrupt, cancelled).'),
  m('duplicateBytes', 'Duplicate bytes', 'bytes', 'lower', 'Blocks received twice (endgame).'),
  m('corruptBytes', 'Corrupt bytes', 'bytes', 'lower', 'Bytes of pieces that failed their hash.'),
  m('hashFails', 'Hash failures', 'count', 'lower', 'Pieces that failed their hash check.'),
  m('bans', 'Bans', 'count', null, 'Peers banned for sending corrupt pieces.'),
  m('violations', 'Protocol violations', 'count', 'lower', 'Messages that broke the protocol (the connection was closed).'),
  m('uploadedBytes', 'Uploaded bytes', 'bytes', null, 'Bytes uploaded by all peers.'),
  m('shareRatioMean', 'Share ratio (mean)', 'ratio', null, 'Uploaded over downloaded, mean over leechers.'),
  m('shareRatioP50', 'Share ratio (median)', 'ratio', null, 'Uploaded over downloaded, median over leechers.'),
  m('shareRatioMin', 'Share ratio (min)', 'ratio', null, 'Lowest uploaded over downloaded among leechers.'),
  m('shareRatioMax', 'Share ratio (max)', 'ratio', null, 'Highest uploaded over downloaded among leechers.'),
];

export const swarmSeries: MetricSpec[] = [
  m('completed', 'Leechers done', 'fraction', 'higher', 'Share of the leechers holding the whole file.'),
  m('availabilityMin', 'Rarest piece copies', 'count', 'higher', 'Copies of the rarest piece among online peers.'),
  m('availabilityMean', 'Mean piece copies', 'count', 'higher', 'Mean copies of a piece among online peers.'),
];

export const swarmStates = [
  { name: 'seed', label: 'Seed', colour: '#16a34a', description: 'Held the whole file from the start.' },
  { name: 'leecher', label: 'Leecher', colour: '#2563eb', description: 'Downloading.' },
  { name: 'done', label: 'Done', colour: '#65a30d', description: 'A leecher that finished and stays to upload.' },
];

export const connectionKind = {
  name: 'connection',
  label: 'Connection',
  colour: '#94a3b8',
  description: 'An open peer-wire connection (opened and closed as peers arrive, finish and choose others: not rewiring).',
  rewiring: false,
};

export const observation: ProtocolObservation = {
  protocol: 'bittorrent',
  metrics: swarmMetrics,
  series: swarmSeries,
  states: swarmStates,
  linkKinds: [connectionKind],
  events: [],
  value: { label: 'Download progress', unit: 'fraction', description: 'Share of the file’s pieces the peer holds.' },
};

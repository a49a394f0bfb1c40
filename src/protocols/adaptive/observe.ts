/** What adaptive (reputation and rewiring) runs measure and how they are drawn (../observation.ts). */
import { metric, type ProtocolObservation } from '../observation.js';

const m = metric;

export const observation: ProtocolObservation = {
  protocol: 'adaptive',
  metrics: [
    m('honestPeers', 'Honest peers', 'peers', null, 'Peers that follow the protocol.'),
    m('maliciousPeers', 'Malicious peers', 'peers', null, 'Adversaries: droppers, corrupters, spammers, badmouthers.'),
    m('broadcasts', 'Broadcasts', 'count', null, 'Messages broadcast by honest peers.'),
    m('broadcastsInFlight', 'Broadcasts in flight', 'count', null, 'Broadcasts too recent to count (within the settle time).'),
    m('deliveryRatio', 'Delivery ratio', 'fraction', 'higher', 'Share of the honest online peers a broadcast reached, mean over settled broadcasts.'),
    m('deliveryRatioEarly', 'Delivery ratio (first half)', 'fraction', 'higher', 'Delivery ratio of the first half of the broadcasts.'),
    m('deliveryRatioLate', 'Delivery ratio (second half)', 'fraction', 'higher', 'Delivery ratio of the second half, after reputation had time to act.'),
    m('maliciousCutOff', 'Malicious peers cut off', 'fraction', 'higher', 'Share of the malicious peers no honest peer links to.'),
    m('falsePositives', 'Honest links cut', 'count', 'lower', 'Links an honest peer cut to another honest peer for misbehaviour.'),
    m('honestPeersCut', 'Honest peers blacklisted', 'count', 'lower', 'Honest peers blacklisted by at least one honest peer.'),
    m('maliciousCuts', 'Malicious links cut', 'count', 'higher', 'Links an honest peer cut to a malicious one.'),
    m('timeToIsolateMs', 'Time to isolate', 'ms', 'lower', 'Median time until a malicious peer had no honest link left.'),
    m('meanLinkLatencyMsStart', 'Link latency at start', 'ms', 'lower', 'Mean latency of the honest peers’ links at time 0.'),
    m('meanLinkLatencyMsEnd', 'Link latency now', 'ms', 'lower', 'Mean latency of the honest peers’ links now (rewiring lowers it).'),
    m('p50DeliveryMs', 'Delivery time p50', 'ms', 'lower', 'Median time from broadcast to delivery at an honest peer.'),
    m('p99DeliveryMs', 'Delivery time p99', 'ms', 'lower', '99th percentile of the delivery time.'),
    m('p50DeliveryMsEarly', 'Delivery time p50 (first half)', 'ms', 'lower', 'Median delivery time, first half of the broadcasts.'),
    m('p99DeliveryMsEarly', 'Delivery time p99 (first half)', 'ms', 'lower', '99th percentile, first half of the broadcasts.'),
    m('p50DeliveryMsLate', 'Delivery time p50 (second half)', 'ms', 'lower', 'Median delivery time, second half of the broadcasts.'),
    m('p99DeliveryMsLate', 'Delivery time p99 (second half)', 'ms', 'lower', '99th percentile, second half of the broadcasts.'),
    m('rewiresPerPeer', 'Rewires per peer', 'count', null, 'Links replaced by the latency-driven rewiring, per honest peer.'),
    m('largestComponent', 'Largest honest component', 'fraction', 'higher', 'Share of the online honest peers in the largest connected part of their links.'),
    m('maliciousLinks', 'Honest links to malicious peers', 'count', 'lower', 'Links from honest to malicious peers now.'),
    m('reputationBytesPerPeer', 'Reputation bytes per peer', 'bytes', 'lower', 'Bytes sent for reputation (opinions, probes, answers) per peer.'),
    m('malformed', 'Malformed messages', 'count', 'lower', 'Messages dropped as malformed.'),
  ],
  series: [
    m('deliveryRatio', 'Delivery ratio', 'fraction', 'higher', 'Each settled broadcast’s delivery ratio, at its start time.'),
    m('meanLinkLatencyMs', 'Mean link latency', 'ms', 'lower', 'Mean latency of the honest peers’ links.'),
    m('maliciousLinks', 'Honest links to malicious peers', 'count', 'lower', 'Links from honest to malicious peers.'),
  ],
  states: [
    { name: 'honest', label: 'Honest', colour: '#0d9488', description: 'Follows the protocol.' },
    { name: 'malicious', label: 'Malicious', colour: '#dc2626', description: 'An adversary still linked to by some honest peer.' },
    { name: 'isolated', label: 'Isolated', colour: '#78716c', description: 'An adversary no honest peer links to any more.' },
  ],
  linkKinds: [
    {
      name: 'overlay',
      label: 'Overlay link',
      colour: '#64748b',
      description: 'A link of the gossip overlay; links cut for misbehaviour or replaced by rewiring come and go.',
      rewiring: true,
    },
  ],
  events: [],
  value: { label: 'Reputation', unit: 'fraction', description: 'Mean score its honest neighbours give it (0 for an isolated adversary).' },
};

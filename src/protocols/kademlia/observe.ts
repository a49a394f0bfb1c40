/** What Kademlia runs measure and how they are drawn (../observation.ts). */
import { metric, type ProtocolObservation } from '../observation.js';
import type { KademliaParams } from './run/params.js';

const m = metric<KademliaParams>;

export const observation: ProtocolObservation<KademliaParams> = {
  protocol: 'kademlia',
  metrics: [
    m('lookups', 'Lookups', 'count', null, 'Lookups that finished.'),
    m('successRate', 'Success rate', 'fraction', 'higher', 'Lookups that found the value, or the true k closest peers.'),
    m('meanHops', 'Hops per lookup', 'hops', 'lower', 'Mean hops of a lookup (the longest chain of replies it followed).', {
      label: '⌈log₂ᵇ n⌉ (Maymounkov and Mazières)',
      value: ({ peers, params }) => Math.ceil(Math.log2(Math.max(2, peers)) / params.b),
    }),
    m('meanRoundTrips', 'Round trips per lookup', 'count', 'lower', 'Mean rounds of α parallel requests.'),
    m('hopBound', 'Hop bound', 'hops', null, '⌈log₂ᵇ n⌉ for the online peers now.'),
    m('p50LatencyMs', 'Lookup latency p50', 'ms', 'lower', 'Median lookup time.'),
    m('p99LatencyMs', 'Lookup latency p99', 'ms', 'lower', '99th percentile of the lookup time.'),
    m('messagesPerLookup', 'Messages per lookup', 'messages', 'lower', 'Requests and replies per lookup.'),
    m('lookupsAbandoned', 'Lookups abandoned', 'count', 'lower', 'Lookups whose origin left before they finished.'),
    m('lookupKind', 'Lookup kind', 'none', null, 'node (FIND_NODE) or value (FIND_VALUE).'),
    m('closestRecall', 'Closest recall', 'fraction', 'higher', 'Share of the true k closest peers a node lookup returned.'),
    m('stores', 'Stores', 'count', null, 'STOREs finished.'),
    m('storesPublished', 'Stores published', 'count', null, 'Keys that reached at least one peer.'),
    m('meanReplicas', 'Replicas per key', 'count', 'higher', 'Peers that accepted each STORE.'),
    m('routingTableFill', 'Routing table entries', 'count', null, 'Contacts per online peer.'),
    m('bucketFill', 'Bucket fill', 'fraction', null, 'Contacts over bucket capacity.'),
    m('bucketsPerPeer', 'Buckets per peer', 'count', null, 'k-buckets per online peer.'),
    m('staleEntries', 'Stale entries', 'fraction', 'lower', 'Contacts pointing at a peer that is gone.'),
    m('onlinePeers', 'Online peers', 'peers', null, 'Peers online now.'),
  ],
  series: [
    m('lookupSuccess', 'Lookup success (cumulative)', 'fraction', 'higher', 'Success rate of the lookups finished so far.'),
    m('lookupLatencyMs', 'Lookup latency', 'ms', 'lower', 'Each lookup’s time, when it finished.'),
  ],
  states: [
    { name: 'online', label: 'Online', colour: '#0284c7', description: 'A node in the DHT.' },
    { name: 'holder', label: 'Holds values', colour: '#ca8a04', description: 'A node storing at least one value.' },
  ],
  linkKinds: [
    { name: 'contact', label: 'Routing-table contact', colour: '#94a3b8', description: 'A contact in a node’s routing table (a sample of 8 per node).', rewiring: false },
  ],
  events: [],
  value: { label: 'Routing table fill', unit: 'fraction', description: 'Contacts over the capacity of its buckets.' },
};

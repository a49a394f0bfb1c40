/** What gossip runs measure and how they are drawn (the observation contract, ../observation.ts). */
import { metric, type ProtocolObservation } from '../observation.js';
import type { GossipParams, GossipWorkload } from './params.js';

const m = metric<GossipParams, GossipWorkload>;

export const observation: ProtocolObservation<GossipParams, GossipWorkload> = {
  protocol: 'gossip',
  metrics: [
    m('variant', 'Variant', 'none', null, 'push, pull, push-pull or plumtree.'),
    m('mode', 'Mode', 'none', null, 'infect-forever or infect-and-die.'),
    m('broadcasts', 'Broadcasts', 'count', null, 'Rumours started.'),
    m('reached', 'Reached', 'fraction', 'higher', 'Mean over broadcasts of the largest share of online peers that held the rumour at once.'),
    m('reachedNow', 'Holding now', 'fraction', 'higher', 'Mean share of the online peers holding each rumour now.'),
    m('roundsToAll', 'Rounds to reach all', 'count', 'lower', 'Mean rounds until every online peer held the rumour (null if some never did).', {
      label: 'theory (fanout 1): push log2 n + ln n (Pittel); push-pull log3 n (Karp et al.)',
      value: ({ peers, params }) =>
        params.fanout !== 1 || params.timing !== 'rounds' ? null : params.variant === 'push' ? Math.log2(peers) + Math.log(peers) : params.variant === 'push-pull' ? Math.log(peers) / Math.log(3) : null,
    }),
    m('timeToAllMs', 'Time to reach all', 'ms', 'lower', 'Mean virtual time from a broadcast until every online peer held it.'),
    m('roundsTo99', 'Rounds to reach 99%', 'count', 'lower', 'Mean rounds until 99% of the online peers held the rumour.'),
    m('timeTo99Ms', 'Time to reach 99%', 'ms', 'lower', 'Mean virtual time until 99% of the online peers held the rumour.'),
    m('messagesPerPeer', 'Messages per peer', 'messages', 'lower', 'Messages sent (all kinds) divided by the peers.'),
    m('payloadMessagesPerPeer', 'Payload messages per peer', 'messages', 'lower', 'Messages that carried a rumour, per peer.'),
    m('duplicatesPerPeer', 'Duplicates per peer', 'messages', 'lower', 'Payload messages that reached a peer that already had the rumour, per peer.'),
    m('bytesPerPeer', 'Bytes per peer', 'bytes', 'lower', 'Bytes sent divided by the peers.'),
    m('payloadMessagesPerBroadcast', 'Payload messages per broadcast', 'messages', 'lower', 'Payload messages per rumour (plumtree aims at n - 1).'),
    m('malformed', 'Malformed messages', 'count', 'lower', 'Messages ignored because they were not valid gossip.'),
    m('failedBroadcasts', 'Failed broadcasts', 'count', 'lower', 'Broadcasts whose source was offline.'),
    m('repaired', 'Repaired by anti-entropy', 'count', null, 'Rumours a peer got through anti-entropy.'),
  ],
  series: [m('reached', 'Reached (latest rumour)', 'fraction', 'higher', 'Share of the online peers holding the latest rumour.')],
  states: [
    { name: 'susceptible', label: 'Susceptible', colour: '#94a3b8', description: 'Has not received the latest rumour.' },
    { name: 'infected', label: 'Infected', colour: '#f97316', description: 'Holds the latest rumour and spreads it.' },
    { name: 'removed', label: 'Removed', colour: '#7c3aed', description: 'Holds the latest rumour and no longer spreads it (infect-and-die).' },
  ],
  linkKinds: [
    { name: 'view', label: 'Partial view', colour: '#94a3b8', description: 'A peer in another peer’s partial view (plumtree, partial sampling).', rewiring: false },
    { name: 'tree', label: 'Infection tree', colour: '#fb923c', description: 'Who first told whom the latest rumour (full knowledge: the path it travelled).', rewiring: false },
  ],
  events: [
    { kind: 'infected', label: 'Infected', description: 'A peer received a rumour for the first time.' },
    { kind: 'removed', label: 'Removed', description: 'A peer stopped spreading a rumour.' },
  ],
  value: { label: 'Round informed', unit: 'count', description: 'The round in which the peer received the latest rumour.' },
};

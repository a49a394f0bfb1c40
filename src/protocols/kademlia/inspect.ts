/**
 * One Kademlia peer for the dashboard's inspector: its node's figures, its routing table one row per
 * k-bucket (the bucket's prefix, its contacts, replacements and last refresh), and its last lookup with
 * the chain of peers that led to the answer (a `path` the graph draws).
 */
import { boundedTable, type InspectSection, type PeerInspection } from '../observation.js';
import type { KademliaRun } from './driver.js';
import { toHex, type NodeId } from './id.js';
import type { KademliaNode } from './node.js';

/** The first `depth` bits of `prefix` as 0s and 1s ('' for the root bucket). */
function bitsOf(prefix: NodeId, depth: number): string {
  let s = '';
  for (let i = 0; i < depth; i++) s += (prefix[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
  return s;
}

/** A long hex id cut for display (the full id is still in the search). */
const shortHex = (id: NodeId): string => {
  const h = toHex(id);
  return h.length > 16 ? `${h.slice(0, 16)}…` : h;
};

function tableSections(node: KademliaNode): { neighbours: number[]; sections: InspectSection[] } {
  const rows: (string | number | null)[][] = [];
  const neighbours: number[] = [];
  for (const { bucket, prefix } of node.table.ranges()) {
    const peers = bucket.contacts.map((c) => c.peer);
    neighbours.push(...peers);
    const shown = peers.slice(0, 24).join(' ') + (peers.length > 24 ? ` … (${peers.length - 24} more)` : '');
    rows.push([bucket.index, bitsOf(prefix, bucket.depth) || '(any)', bucket.depth, peers.length, bucket.replacements.length, bucket.lastTouched, shown || null]);
  }
  return {
    neighbours,
    sections: [
      boundedTable(
        'Routing table (one row per k-bucket)',
        [
          { label: 'Bucket' },
          { label: 'Prefix' },
          { label: 'Depth', unit: 'count' },
          { label: 'Contacts', unit: 'peers' },
          { label: 'Replacements', unit: 'peers' },
          { label: 'Last refreshed at', unit: 'ms' },
          { label: 'Contact peers (least recently seen first)' },
        ],
        rows,
      ),
      { kind: 'peers', title: 'Routing-table contacts', peers: neighbours },
    ],
  };
}

export function inspectKademlia(run: KademliaRun, peer: number): PeerInspection {
  const node = run.node(peer);
  if (!node) return { neighbours: [], sections: [{ kind: 'facts', title: 'Node', rows: [{ label: 'Online', value: false }] }] };
  const s = node.stats;
  const facts: InspectSection = {
    kind: 'facts',
    title: 'Node',
    rows: [
      { label: 'Node id', value: shortHex(node.id) },
      { label: 'Joined', value: node.joined },
      { label: 'Contacts', value: node.table.size, unit: 'peers' },
      { label: 'Buckets', value: node.table.numBuckets, unit: 'count' },
      { label: 'Values held', value: node.storedValues, unit: 'count' },
      { label: 'Requests sent', value: s.requestsSent, unit: 'messages' },
      { label: 'Requests answered', value: s.requestsHandled, unit: 'messages' },
      { label: 'Timeouts', value: s.timeouts, unit: 'count' },
      { label: 'Evictions', value: s.evictions, unit: 'count' },
    ],
  };
  const { neighbours, sections } = tableSections(node);
  const out: InspectSection[] = [facts, ...sections];
  const last = node.lastLookup;
  if (last) {
    out.push({
      kind: 'facts',
      title: 'Last lookup',
      rows: [
        { label: 'Kind', value: last.findValue ? 'FIND_VALUE' : 'FIND_NODE' },
        { label: 'Target', value: shortHex(last.target) },
        { label: last.findValue ? 'Value found' : 'Peers found', value: last.found },
        { label: 'Hops', value: last.hops, unit: 'hops' },
        { label: 'Round trips', value: last.roundTrips, unit: 'count' },
        { label: 'Messages', value: last.messages, unit: 'messages' },
        { label: 'Started at', value: last.startedAt, unit: 'ms' },
        { label: 'Took', value: last.durationMs, unit: 'ms' },
      ],
    });
    out.push({ kind: 'path', title: 'Last lookup path (this peer, then each peer named by the one before)', peers: [peer, ...last.path] });
  }
  return { neighbours, sections: out };
}

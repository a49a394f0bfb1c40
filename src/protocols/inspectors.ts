/**
 * What the dashboard's peer inspector shows, by `protocol.type`, for drivers whose run does not answer
 * `inspect` itself. Each reads the run's public state; sizes are bounded by the host.
 */
import type { AdaptiveRun } from './adaptive/driver.js';
import { inspectAdaptive } from './adaptive/inspect.js';
import type { BittorrentRun } from './bittorrent/driver.js';
import { inspectSwarmPeer } from './bittorrent/inspect.js';
import type { DriverRun } from './driver.js';
import type { GossipRun } from './gossip/driver.js';
import { inspectGossip } from './gossip/inspect.js';
import type { KademliaRun } from './kademlia/driver.js';
import { inspectKademlia } from './kademlia/inspect.js';
import type { PeerInspection } from './observation.js';

export const inspectors: Record<string, (run: DriverRun, peer: number) => PeerInspection> = {
  gossip: (run, peer) => inspectGossip(run as GossipRun, peer),
  adaptive: (run, peer) => inspectAdaptive(run as AdaptiveRun, peer),
  kademlia: (run, peer) => inspectKademlia(run as KademliaRun, peer),
  bittorrent: (run, peer) => inspectSwarmPeer((run as BittorrentRun).swarm, peer),
  hybrid: (run, peer) => ('swarm' in run ? inspectSwarmPeer((run as unknown as BittorrentRun).swarm, peer) : { neighbours: [], sections: [] }),
};

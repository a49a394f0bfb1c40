/**
 * The protocols a scenario can name in `protocol.type`, each a ProtocolDriver from its own folder.
 * The dashboard lists these; parseScenario validates against them.
 */
import type { ProtocolDriver } from '../protocols/driver.js';
import { driver as adaptive } from '../protocols/adaptive/driver.js';
import { driver as bittorrent } from '../protocols/bittorrent/driver.js';
import { driver as gossip } from '../protocols/gossip/driver.js';
import { driver as hybrid } from '../protocols/hybrid/driver.js';
import { driver as kademlia } from '../protocols/kademlia/driver.js';
import { driver as sync } from '../protocols/sync/driver.js';

export const drivers: Record<string, ProtocolDriver> = {
  gossip: gossip as ProtocolDriver,
  kademlia: kademlia as ProtocolDriver,
  bittorrent: bittorrent as ProtocolDriver,
  adaptive: adaptive as ProtocolDriver,
  hybrid: hybrid as ProtocolDriver,
  sync: sync as ProtocolDriver,
};

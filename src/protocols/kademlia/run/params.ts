/** The scenario keys of `protocol.type: kademlia`: the protocol's parameters and the workload's. */
import { z } from 'zod';
import { intIn as int, numAbove, numIn } from '../../../core/schema.js';

const ms = () => numIn(0);

export const kademliaParams = z.strictObject({
  /** Bucket size and replication factor. */
  k: int(1, 255).default(20),
  /** Parallel requests per lookup path. */
  alpha: int(1, 64).default(3),
  /** Bits per digit (accelerated lookups). */
  b: int(1, 8).default(1),
  /** Id width in bits. */
  idBits: int(8, 512).default(160),
  /** Disjoint lookup paths (S/Kademlia d); 1 = plain Kademlia. */
  disjointPaths: int(1, 16).default(1),
  rpcTimeoutMs: ms().default(2000),
  /** 0 = never refresh. */
  refreshIntervalMs: ms().default(3_600_000),
  /** 0 = never republish. */
  republishIntervalMs: ms().default(3_600_000),
  expireMs: ms().default(86_400_000),
  /** 0 = no caching along the lookup path. */
  cacheTtlMs: ms().default(600_000),
  replacementCacheSize: int(0, 1024).optional(),
  /** Ping a full bucket's oldest entry only if silent this long (BEP 5); 0 = always (paper). */
  pingAfterMs: ms().default(900_000),
  /** Failed requests in a row before a contact is dropped. */
  staleLimit: int(1, 100).default(1),
  /** How the initial tables are built: 'prefill' (shortcut, see prefill.ts) or 'join' (real joins). */
  bootstrap: z.enum(['prefill', 'join']).default('prefill'),
  /** With bootstrap 'join': peer i joins at i * joinSpacingMs through a random peer that joined before. */
  joinSpacingMs: ms().default(100),
  /** Encode and decode every message with the codec (slower; exercises the wire format end to end). */
  wire: z.boolean().default(false),
});
export type KademliaParams = z.output<typeof kademliaParams>;

export const kademliaWorkload = z.strictObject({
  /** Values published (each by a random online peer). */
  stores: int(0).default(100),
  /** Lookups issued (each by a random online peer). */
  lookups: int(0).default(1000),
  /** 'value': FIND_VALUE of a random published key (needs stores > 0); 'node': FIND_NODE of a random id. */
  kind: z.enum(['value', 'node']).optional(),
  /** When the first STORE goes out (with bootstrap 'join': at the latest 5 s after the last join). */
  startMs: ms().default(1000),
  /** Lookups (and, unless storeRatePerSec is set, STOREs) per second of virtual time. */
  ratePerSec: numAbove(0).default(100),
  /** STOREs per second; default ratePerSec. */
  storeRatePerSec: numAbove(0).optional(),
  /** Gap between the last STORE and the first lookup. */
  settleMs: ms().default(5000),
  valueBytes: int(0, 65536).default(32),
});
export type KademliaWorkload = z.output<typeof kademliaWorkload>;

/**
 * The gossip driver's scenario keys (`protocol:` and `workload:`), as zod schemas with defaults.
 * Every key is documented here with its default; docs/gossip.md shows them in a scenario.
 */
import { z } from 'zod';
import { intIn as int, numIn as num } from '../../core/schema.js';

export const VARIANTS = ['push', 'pull', 'push-pull', 'plumtree'] as const;
export type Variant = (typeof VARIANTS)[number];
export const MODES = ['infect-forever', 'infect-and-die'] as const;
export type Mode = (typeof MODES)[number];

/** Named error of the gossip protocols (bad configuration at run time, misuse of a core). */
export class GossipError extends Error {
  override name = 'GossipError';
}

const variant = z.string().superRefine((v, ctx) => {
  if (!(VARIANTS as readonly string[]).includes(v))
    ctx.addIssue({ code: 'custom', message: `unknown variant ${JSON.stringify(v)} (expected one of ${VARIANTS.join(', ')})` });
}) as unknown as z.ZodType<Variant>;

const mode = z.string().superRefine((v, ctx) => {
  if (!(MODES as readonly string[]).includes(v))
    ctx.addIssue({ code: 'custom', message: `unknown mode ${JSON.stringify(v)} (expected one of ${MODES.join(', ')})` });
}) as unknown as z.ZodType<Mode>;


export const gossipParams = z.object({
  /** push | pull | push-pull (epidemic rumour spreading) or plumtree (epidemic broadcast tree). */
  variant: variant.default('push'),
  /** infect-forever: an informed peer gossips every round until the run ends (or everyone has it);
   * infect-and-die: it gossips once to `fanout` peers, then stops ('removed'). */
  mode: mode.default('infect-forever'),
  /** Peers contacted per gossip action; may be fractional (mean: floor or ceil at random). >= 1. */
  fanout: num(1).default(1),
  /** Length of a gossip round (rounds timing), or mean gossip period of a peer (async timing). */
  roundMs: num(0.001).default(100),
  /** rounds: every peer acts at the same instants k*roundMs (the theory's synchronous rounds);
   * async: each peer on its own timer (random phase, period roundMs; 'poisson' clocks: exponential gaps). */
  timing: z.enum(['rounds', 'async', 'poisson']).default('rounds'),
  /** network: every message is a simulator event through the network model (latency, bandwidth, loss,
   * partitions). ideal: the synchronous model of the theory, computed per round in bulk (rounds timing,
   * push/pull/push-pull only; honours loss, partitions and failed peers, ignores latency). */
  transport: z.enum(['network', 'ideal']).default('network'),
  /** full: targets are uniform among all peers (full membership knowledge); partial: a random
   * neighbour from a partial view (a random graph of degree ~viewSize, the same overlay Plumtree uses). */
  sampling: z.enum(['full', 'partial']).default('full'),
  /** Target size of a peer's partial view (active view for Plumtree). */
  viewSize: int(2, 1000).default(6),
  /** Anti-entropy period (a random peer each time exchanges digests and repairs); 0 = off. */
  antiEntropyMs: num(0).default(0),
  /** Largest message payload allowed, in bytes; a bigger broadcast is a configuration error. */
  maxMessageBytes: int(1, 64 * 1024 * 1024).default(1024 * 1024),
  /** Per-message header bytes (ids, type, round) added to every message's size on the wire. */
  headerBytes: int(0, 4096).default(24),
  /** Plumtree: how long a peer waits after an IHAVE for the payload before it GRAFTs. */
  graftTimeoutMs: num(0.001).default(200),
  /** Plumtree: how long IHAVEs are batched before they are sent (0 = at once). */
  lazyDelayMs: num(0).default(0),
  /** Duplicate suppression memory per peer: message ids remembered (oldest forgotten first). */
  seenCapacity: int(16, 10_000_000).default(100_000),
  /** Simulator membership: delay until the neighbours of a crashed peer notice (failure detector). */
  failureDetectMs: num(0).default(500),
});
export type GossipParams = z.infer<typeof gossipParams>;

export const gossipWorkload = z.object({
  /** Number of broadcasts. */
  broadcasts: int(0, 1_000_000).default(1),
  /** Time of the first broadcast. */
  startMs: num(0).default(0),
  /** Gap between consecutive broadcasts (0 = all at once: many messages in flight). */
  intervalMs: num(0).default(1000),
  /** Explicit broadcast times (overrides broadcasts/startMs/intervalMs). */
  atMs: z.array(num(0)).optional(),
  /** Payload size of each broadcast in bytes (uses the network's bandwidth). */
  messageBytes: int(0, Number.MAX_SAFE_INTEGER).default(1024),
  /** The peer that broadcasts: a peer id, or 'random' (a random online peer each time). */
  source: z.union([int(0), z.literal('random')]).default('random'),
});
export type GossipWorkload = z.infer<typeof gossipWorkload>;

/** The broadcast times a workload asks for. */
export function broadcastTimes(w: GossipWorkload): number[] {
  if (w.atMs) return [...w.atMs].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < w.broadcasts; i++) out.push(w.startMs + i * w.intervalMs);
  return out;
}

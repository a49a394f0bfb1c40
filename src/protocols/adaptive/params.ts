/**
 * The adaptive overlay's scenario keys (`protocol:` and `workload:`), as zod schemas with defaults.
 * Every key is documented here with its default; docs/adaptive.md shows them in a scenario.
 * Nested groups are strict: a misspelt key (`adversaries.fractoin`) is an error naming it.
 */
import { z } from 'zod';
import { intIn as int, numAbove, numIn as num } from '../../core/schema.js';

/** Named error of the adaptive protocol (a configuration that cannot run). */
export class AdaptiveError extends Error {
  override name = 'AdaptiveError';
}

export const BEHAVIOURS = ['drop', 'corrupt', 'spam', 'badmouth'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];
export const STRATEGIES = ['latency', 'throughput', 'none'] as const;
export type Strategy = (typeof STRATEGIES)[number];

const behaviour = z.string().superRefine((v, ctx) => {
  if (!(BEHAVIOURS as readonly string[]).includes(v))
    ctx.addIssue({ code: 'custom', message: `unknown behaviour ${JSON.stringify(v)} (expected one of ${BEHAVIOURS.join(', ')})` });
}) as unknown as z.ZodType<Behaviour>;

const strategy = z.string().superRefine((v, ctx) => {
  if (!(STRATEGIES as readonly string[]).includes(v))
    ctx.addIssue({ code: 'custom', message: `unknown strategy ${JSON.stringify(v)} (expected one of ${STRATEGIES.join(', ')})` });
}) as unknown as z.ZodType<Strategy>;

export const adversariesSchema = z.strictObject({
  /** Share of the peers that are malicious, in [0, 0.9]. */
  fraction: num(0, 0.9).default(0),
  /** What they do: one behaviour or a list. `drop` and `corrupt` are forwarding behaviours (with both
   * listed, the malicious peers are split between them); `spam` and `badmouth` are added to every
   * malicious peer. */
  behaviour: z
    .union([behaviour, z.array(behaviour).min(1, { message: 'expected at least one behaviour' })])
    .transform((b) => (Array.isArray(b) ? [...new Set(b)] : [b]))
    .default(['drop']),
  /** spam: junk messages a spammer injects per second (each to one random neighbour). */
  spamPerSec: num(0, 10_000).default(10),
});

export const reputationSchema = z.strictObject({
  /** Off: no evidence, no opinions, no cuts (invalid messages are still rejected: that is the signature check). */
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
  /** Period of ageing, pull probes, opinion exchange and the cut decision. */
  periodMs: numAbove().default(1000),
  /** Forgetting factor applied to all evidence once per period (Josang's beta reputation with ageing). */
  ageing: num(0.01, 1).default(0.9),
  /** A neighbour whose combined score (0..1) falls below this is cut off and blacklisted. */
  threshold: num(0, 1).default(0.3),
  /** A peer is accepted or asked as a new neighbour only with a score at least this (a stranger has 0.5). */
  admitThreshold: num(0, 1).default(0.45),
  /** Weight of second-hand evidence relative to first-hand. */
  indirectWeight: num(0, 10).default(0.5),
  /** Most entries in one opinion list a peer sends or accepts (a longer list is dropped whole). */
  maxOpinions: int(1, 1024).default(32),
  /** Most evidence (good + bad) one opinion entry may carry. */
  maxReportWeight: num(0.001, 1000).default(5),
  /** A pull probe unanswered after this long counts as bad evidence. */
  probeTimeoutMs: numAbove().default(2000),
  /** Times a pull is sent again within probeTimeoutMs while unanswered (at even intervals), so that a lost
   * pull or reply is not taken for a dropper's silence. */
  probeRetries: int(0, 8).default(1),
  /** Probes ask for a message we sent the neighbour at least this long ago (it must have arrived). */
  probeAgeMs: num(0).default(500),
  /** Before linking with a peer it has no first-hand evidence on, a peer asks this many random
   * neighbours what they hold about it and decides with their answers (0: decide alone). */
  askNeighbours: int(0, 64).default(8),
  /** A vetting is decided with the answers that came within this long. */
  askTimeoutMs: numAbove().default(500),
  /** A neighbour asked about a peer it holds nothing on first asks this many of its own neighbours
   * (within askTimeoutMs / 2) and answers with what they told it (0: it answers at once). */
  askRelay: int(0, 64).default(8),
  /** Most peers a peer keeps reputation records of (~100 bytes each; when full, the least-evidenced
   * are forgotten first, blacklist entries last, down to 90%). */
  maxKnown: int(16, 1_000_000).default(512),
});

export const rewiringSchema = z.strictObject({
  /** latency: replace the neighbour with the highest measured RTT by a closer sampled peer (GoCast);
   * throughput: replace the neighbour that delivers fewest new messages first; none: static overlay. */
  strategy: strategy.default('none'),
  /** How often each peer measures its links and considers one swap. */
  periodMs: numAbove().default(2000),
  /** Links per peer kept random (never rewired by the strategy), so the overlay stays one component. */
  keepRandom: int(0, 64).default(2),
  /** Sampled candidates measured per period. */
  candidates: int(1, 16).default(2),
  /** A candidate must beat the worst link by this fraction (hysteresis against flapping). */
  improvement: num(0, 0.99).default(0.2),
});

/** `reputation: false` / `true` are shorthands for `{ enabled: ... }`. */
const onOff = (v: unknown): unknown => (typeof v === 'boolean' ? { enabled: v } : v);

export const adaptiveParams = z.object({
  /** Target degree of every peer's partial view. */
  degree: int(2, 256).default(8),
  /** Most links a peer accepts (incoming links beyond degree are allowed up to this); default degree + 2. */
  maxDegree: int(2, 512).optional(),
  /** Neighbours a peer pushes each new message to (at most its degree). */
  fanout: int(1, 256).default(3),
  /** Per-message header bytes added to every message's size on the wire. */
  headerBytes: int(0, 4096).default(24),
  /** Messages a peer keeps (ids for deduplication, payloads to answer pulls). */
  cacheSize: int(16, 10_000_000).default(512),
  /** How often a peer below its degree asks sampled peers for a link. */
  maintainMs: numAbove().default(500),
  /** Delay until the neighbours of a departed peer notice (failure detector). */
  failureDetectMs: num(0).default(500),
  /** Virtual time between samples of the time series. */
  sampleMs: numAbove().default(500),
  adversaries: adversariesSchema.prefault({}),
  reputation: z.preprocess(onOff, reputationSchema.prefault({})) as unknown as typeof reputationSchema,
  rewiring: rewiringSchema.prefault({}),
});
export type AdaptiveParams = z.infer<typeof adaptiveParams>;
export type AdversaryParams = z.infer<typeof adversariesSchema>;
export type ReputationParams = z.infer<typeof reputationSchema>;
export type RewiringParams = z.infer<typeof rewiringSchema>;

export const adaptiveWorkload = z.object({
  /** Broadcasts by random honest peers. */
  broadcasts: int(0, 1_000_000).default(100),
  /** Time of the first broadcast. */
  startMs: num(0).default(1000),
  /** Gap between consecutive broadcasts. */
  intervalMs: num(0).default(200),
  /** Payload bytes of each broadcast (and of each junk message). */
  messageBytes: int(0, 64 * 1024 * 1024).default(1024),
  /** A broadcast counts in the delivery figures once this old (younger ones may still be in flight);
   * the run is complete this long after the last broadcast. */
  settleMs: num(0).default(2000),
});
export type AdaptiveWorkload = z.infer<typeof adaptiveWorkload>;

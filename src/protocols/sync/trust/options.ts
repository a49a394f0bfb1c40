/**
 * The trust layer's options, each with its default and bounds. The reputation keys are the adaptive
 * overlay's (src/protocols/adaptive/params.ts, docs/adaptive.md) with the same defaults, so a room and a
 * simulated adaptive overlay judge alike; rewiring runs over the sync peer's own partial view.
 */
import { SyncConfigError } from '../errors.js';
import { MAX_WIRE_OPINIONS } from './codec.js';

export type RewiringStrategy = 'latency' | 'throughput' | 'none';
export type Behaviour = 'honest' | 'drop' | 'corrupt' | 'spam' | 'badmouth';
export const BEHAVIOURS: readonly Behaviour[] = ['honest', 'drop', 'corrupt', 'spam', 'badmouth'];

export interface TrustOptions {
  /** Ageing, probes, opinion exchange and the cut decision, once per period. Default 1000 ms. */
  periodMs?: number;
  /** Forgetting factor of all evidence per period. Default 0.9. */
  ageing?: number;
  /** Cut a neighbour whose score falls below this (and whose first-hand score is below 0.5). Default 0.3. */
  threshold?: number;
  /** Link with a peer only at or above this score (a stranger is 0.5). Default 0.45. */
  admitThreshold?: number;
  /** Weight of second-hand evidence against first-hand. Default 0.5. */
  indirectWeight?: number;
  /** Entries per opinion list, sent and accepted (a longer list is dropped whole). Default 32. */
  maxOpinions?: number;
  /** Most evidence (good + bad) one opinion entry may carry. Default 5. */
  maxReportWeight?: number;
  /** An unanswered probe is bad evidence after this. Default 2000 ms. */
  probeTimeoutMs?: number;
  /** Probe for a message pushed or announced to that neighbour at least this long ago. Default 500 ms. */
  probeAgeMs?: number;
  /** Reputation records kept (least evidenced forgotten first, blacklist last). Default 512. */
  maxKnown?: number;
  /** A new link must show its key within this, or it is closed as a violation. Default 5000 ms. */
  authTimeoutMs?: number;
  /** Frames held per link while its key or a signature is being checked; more is a violation. Default 1024. */
  maxHeldFrames?: number;
  /** Bytes held per link while its key or a signature is being checked (a pushed update is up to 32 MiB); more is a violation. Default 64 MiB. */
  maxHeldBytes?: number;
  /** Bytes of sealed updates kept to answer anti-entropy with proof (oldest forgotten first; 0: none). Default 64 MiB. */
  originalsBytes?: number;
  /** Signatures of recent messages kept to answer probes (proofs of possession). Default 1024. */
  proofCache?: number;
  /** Rewiring of the partial view: by measured round-trip time, by messages delivered first, or none. Default latency. */
  rewiring?: RewiringStrategy;
  /** Measure links and consider one swap this often. Default 2000 ms. */
  rewiringPeriodMs?: number;
  /** Random links per peer never rewired by the metric. Default 2. */
  keepRandom?: number;
  /** A trial link must beat the worst rewirable link by this fraction. Default 0.2. */
  improvement?: number;
  /** What this peer does (anything but honest is an attacker, for experiments). Default honest. */
  behaviour?: Behaviour;
  /** spam: junk messages per second. Default 10. */
  spamPerSec?: number;
  /** badmouth: peers it praises (its fellow attackers); everyone else it knows of it reports as bad. */
  colluders?: readonly number[];
}

export type ResolvedTrustOptions = Required<TrustOptions>;

export const DEFAULT_TRUST: ResolvedTrustOptions = {
  periodMs: 1000,
  ageing: 0.9,
  threshold: 0.3,
  admitThreshold: 0.45,
  indirectWeight: 0.5,
  maxOpinions: 32,
  maxReportWeight: 5,
  probeTimeoutMs: 2000,
  probeAgeMs: 500,
  maxKnown: 512,
  authTimeoutMs: 5000,
  maxHeldFrames: 1024,
  maxHeldBytes: 64 * 1024 * 1024,
  originalsBytes: 64 * 1024 * 1024,
  proofCache: 1024,
  rewiring: 'latency',
  rewiringPeriodMs: 2000,
  keepRandom: 2,
  improvement: 0.2,
  behaviour: 'honest',
  spamPerSec: 10,
  colluders: [],
};

const RANGES: [keyof ResolvedTrustOptions, number, number, boolean][] = [
  ['periodMs', 10, 3_600_000, false],
  ['ageing', 0, 1, false],
  ['threshold', 0, 1, false],
  ['admitThreshold', 0, 1, false],
  ['indirectWeight', 0, 10, false],
  ['maxOpinions', 0, MAX_WIRE_OPINIONS, true],
  ['maxReportWeight', 0.01, 256, false],
  ['probeTimeoutMs', 1, 600_000, false],
  ['probeAgeMs', 0, 600_000, false],
  ['maxKnown', 8, 1_000_000, true],
  ['authTimeoutMs', 1, 600_000, false],
  ['maxHeldFrames', 1, 1_000_000, true],
  ['maxHeldBytes', 1024, 2 ** 30, true],
  ['originalsBytes', 0, 2 ** 32, true],
  ['proofCache', 0, 1_000_000, true],
  ['rewiringPeriodMs', 10, 3_600_000, false],
  ['keepRandom', 0, 64, true],
  ['improvement', 0, 1, false],
  ['spamPerSec', 0, 10_000, false],
];

/** Fills in defaults and checks every option; throws SyncConfigError naming the first bad one. */
export function resolveTrust(o: TrustOptions, prefix = 'trust.'): ResolvedTrustOptions {
  const r = { ...DEFAULT_TRUST, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ResolvedTrustOptions;
  for (const [k, lo, hi, int] of RANGES) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      throw new SyncConfigError(`${prefix}${k}`, `expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(v)}`);
  }
  if (r.admitThreshold < r.threshold) throw new SyncConfigError(`${prefix}admitThreshold`, `must be >= threshold (${r.threshold}), got ${r.admitThreshold}`);
  if (r.rewiring !== 'latency' && r.rewiring !== 'throughput' && r.rewiring !== 'none')
    throw new SyncConfigError(`${prefix}rewiring`, `expected latency, throughput or none, got ${JSON.stringify(r.rewiring)}`);
  if (!BEHAVIOURS.includes(r.behaviour)) throw new SyncConfigError(`${prefix}behaviour`, `expected one of ${BEHAVIOURS.join(', ')}, got ${JSON.stringify(r.behaviour)}`);
  if (!Array.isArray(r.colluders) || r.colluders.length > 1024 || !r.colluders.every((p) => Number.isInteger(p) && p >= 0 && p <= 0xffffffff))
    throw new SyncConfigError(`${prefix}colluders`, 'expected at most 1024 peer ids');
  return r;
}

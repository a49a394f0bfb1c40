/**
 * Two runs' charts side by side: a run is pinned (a frozen copy of its series, its contract and its
 * caption), and while it is pinned every chart shows the pinned run on the left and the run on screen
 * on the right, on shared axes (same time span, same y scale), so that two protocols, two seeds or two
 * settings of one scenario compare at a glance. A chart only one of the two runs has is still drawn,
 * its other half saying "not in this run". Pure (no DOM, no Vue): unit-tested directly.
 */
import type { ChartPlan } from '../charts/plan.js';
import type { ObservationData } from '../observe/spec.js';

export interface PinnedRun {
  /** What the run was: scenario, protocol, seed and the time it was pinned at. */
  caption: string;
  /** Each series as held when pinned (copied: the live store goes on changing). */
  series: ReadonlyMap<string, { t: readonly number[]; v: readonly number[] }>;
  observation: ObservationData | null;
  /** The furthest time any of its series reaches. */
  endMs: number;
}

/** A frozen copy of what the charts hold now. */
export function pinRun(series: ReadonlyMap<string, { t: readonly number[]; v: readonly number[] }>, observation: ObservationData | null, caption: string): PinnedRun {
  const copy = new Map<string, { t: number[]; v: number[] }>();
  let endMs = 0;
  for (const [k, s] of series) {
    copy.set(k, { t: s.t.slice(), v: s.v.slice() });
    if (s.t.length) endMs = Math.max(endMs, s.t[s.t.length - 1] as number);
  }
  return { caption, series: copy, observation, endMs };
}

/** A chart of the pair: its plan, and which runs have it. */
export interface PairedPlan {
  plan: ChartPlan;
  /** The pinned run's lines for this chart (its own plan's, which may name other series). */
  pinnedLines: ChartPlan['lines'];
  inPinned: boolean;
  inCurrent: boolean;
}

/**
 * The charts of both runs, matched by chart id (one per unit, then messages/s and peers online): the
 * current run's charts in their order, then those only the pinned run has.
 */
export function pairPlans(current: readonly ChartPlan[], pinned: readonly ChartPlan[]): PairedPlan[] {
  const byId = new Map(pinned.map((p) => [p.id, p]));
  const out: PairedPlan[] = current.map((p) => {
    const q = byId.get(p.id);
    return { plan: p, pinnedLines: q?.lines ?? [], inPinned: !!q, inCurrent: true };
  });
  const seen = new Set(current.map((p) => p.id));
  for (const q of pinned) if (!seen.has(q.id)) out.push({ plan: q, pinnedLines: q.lines, inPinned: true, inCurrent: false });
  return out;
}

/** The top of a shared y axis: at least `floor` (a share's 100%), a round number above the highest value. */
export function sharedTop(values: Iterable<number>, floor: number | null): number {
  let hi = floor ?? 0;
  for (const v of values) if (Number.isFinite(v) && v > hi) hi = v;
  if (hi <= 0) return 1;
  if (floor !== null && hi === floor) return floor;
  return niceCeil(hi);
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `x` (> 0). */
export function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * Sweeps: one scenario run over a grid of parameter values (`--vary key=v1,v2,...`, the cartesian
 * product of every `--vary`) times a number of seeds, in parallel on the worker pool, aggregated per
 * grid point into means and 95% confidence intervals, and charted against the varied key.
 */
import type { SummaryValue } from '../protocols/driver.js';
import { ScenarioError } from './errors.js';
import { scenarioFromText, type LoadOptions } from './load.js';
import { jsonNumber, rowsCsv } from './output.js';
import { runJobs, type JobResult, type RunJob } from './pool.js';
import { parseValue, type Scenario } from './scenario.js';
import { aggregate, type Aggregate } from '../core/index.js';

export interface Vary {
  path: string;
  /** Values as given on the command line (text) and as read (YAML). */
  texts: string[];
  values: unknown[];
}

/** `protocol.fanout=1,2,3` -> a Vary. Values are read as YAML, so `push,pull` are strings, `1,2` numbers. */
export function parseVary(text: string): Vary {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new ScenarioError([{ path: '', problem: `--vary: expected key.path=v1,v2,..., got ${JSON.stringify(text)}` }]);
  const path = text.slice(0, eq).trim();
  const texts = text
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (texts.length === 0) throw new ScenarioError([{ path, problem: '--vary: no values' }]);
  return { path, texts, values: texts.map(parseValue) };
}

export interface GridPoint {
  /** The varied values at this point, by path (as read). */
  values: Record<string, unknown>;
  /** `path=value` assignments that make this point. */
  set: string[];
  label: string;
}

export function grid(vary: Vary[]): GridPoint[] {
  let points: GridPoint[] = [{ values: {}, set: [], label: '' }];
  for (const v of vary) {
    const next: GridPoint[] = [];
    for (const p of points)
      v.texts.forEach((t, i) => {
        next.push({
          values: { ...p.values, [v.path]: v.values[i] },
          set: [...p.set, `${v.path}=${t}`],
          label: p.label ? `${p.label}, ${v.path}=${t}` : `${v.path}=${t}`,
        });
      });
    points = next;
  }
  return points;
}

/** What a sweep's outputs need of its scenario (a merge of shards rebuilds only this much). */
export interface SweepScenario {
  name: string;
  protocol: { type: string };
}

export interface SweepPlan {
  scenario: SweepScenario;
  text: string;
  source: string;
  vary: Vary[];
  seeds: number[];
  points: GridPoint[];
  baseSet: string[];
}

/**
 * Validates the scenario at every grid point before anything runs, so a bad value fails fast with
 * the path (`protocol.fanout: expected a number >= 1, got 0 (at --vary protocol.fanout=0)`).
 */
export function planSweep(text: string, source: string, vary: Vary[], seeds: number, opts: LoadOptions = {}): SweepPlan & { scenario: Scenario } {
  if (vary.length === 0) throw new ScenarioError([{ path: '', problem: 'sweep: give at least one --vary key=v1,v2,...' }], source);
  const baseSet = opts.set ?? [];
  const base = scenarioFromText(text, source, { ...opts, set: baseSet });
  const points = grid(vary);
  for (const p of points) {
    try {
      scenarioFromText(text, source, { ...opts, set: [...baseSet, ...p.set] });
    } catch (e) {
      if (e instanceof ScenarioError)
        throw new ScenarioError(
          e.issues.map((i) => ({ ...i, problem: `${i.problem} (at --vary ${p.set.join(' ')})` })),
          source,
        );
      throw e;
    }
  }
  const first = opts.seed ?? base.seed;
  return { scenario: base, text, source, vary, seeds: Array.from({ length: seeds }, (_, i) => first + i), points, baseSet };
}

export interface PointResult {
  point: GridPoint;
  /** Per numeric summary key. */
  metrics: Record<string, Aggregate>;
  /** Runs where the key was null (e.g. never reached everyone). */
  nulls: Record<string, number>;
  runs: Record<string, SummaryValue>[];
}

export interface SweepResult {
  plan: SweepPlan;
  points: PointResult[];
  metricKeys: string[];
  wallMs: number;
}

/** Lab keys that are bookkeeping rather than results. */
const NOT_METRICS = new Set(['seed', 'peers', 'wallMs', 'events']);

/** Every run of the sweep, grid point major, seed minor: job `pi * seeds + si` is point pi with seed si. */
export function sweepJobs(plan: SweepPlan, driversModule?: string): RunJob[] {
  const jobs: RunJob[] = [];
  for (const p of plan.points)
    for (const seed of plan.seeds)
      jobs.push({
        input: plan.text,
        source: plan.source,
        set: [...plan.baseSet, ...p.set],
        seed,
        ...(driversModule ? { driversModule } : {}),
      });
  return jobs;
}

export async function runSweep(
  plan: SweepPlan,
  opts: { workers?: number; driversModule?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<SweepResult> {
  const started = performance.now();
  const jobs = sweepJobs(plan, opts.driversModule);
  const results = await runJobs(jobs, {
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    onResult: (_i, _r, done, total) => opts.onProgress?.(done, total),
  });
  return aggregateSweep(plan, results, performance.now() - started);
}

/** Aggregates the runs' summaries (in `sweepJobs` order) per grid point. */
export function aggregateSweep(plan: SweepPlan, results: Pick<JobResult, 'summary'>[], wallMs: number): SweepResult {
  const metricKeys: string[] = [];
  const points: PointResult[] = plan.points.map((point, pi) => {
    const runs = plan.seeds.map((_, si) => results[pi * plan.seeds.length + si]!.summary);
    const metrics: Record<string, Aggregate> = {};
    const nulls: Record<string, number> = {};
    const keys = new Set<string>();
    for (const r of runs) for (const [k, v] of Object.entries(r)) if (!NOT_METRICS.has(k) && (typeof v === 'number' || v === null)) keys.add(k);
    for (const k of keys) {
      if (!metricKeys.includes(k)) metricKeys.push(k);
      const vals = runs.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
      const a = aggregate(vals);
      if (a) metrics[k] = a;
      nulls[k] = runs.length - vals.length;
    }
    return { point, metrics, nulls, runs };
  });
  return { plan, points, metricKeys, wallMs };
}

// ---- outputs -------------------------------------------------------------------------------------

export function sweepJson(s: SweepResult): string {
  const num = (x: number) => jsonNumber(x);
  const obj = {
    scenario: s.plan.scenario.name,
    protocol: s.plan.scenario.protocol.type,
    vary: s.plan.vary.map((v) => ({ key: v.path, values: v.values })),
    seeds: s.plan.seeds,
    points: s.points.map((p) => ({
      values: p.point.values,
      metrics: Object.fromEntries(
        s.metricKeys
          .filter((k) => p.metrics[k] !== undefined || (p.nulls[k] ?? 0) > 0)
          .map((k) => {
            const a = p.metrics[k];
            return [k, a ? { mean: num(a.mean), ci95: num(a.ci95), sd: num(a.sd), min: num(a.min), max: num(a.max), n: a.n, nulls: p.nulls[k] ?? 0 } : { n: 0, nulls: p.nulls[k] ?? 0 }];
          }),
      ),
    })),
    runs: s.points.flatMap((p) => p.runs.map((r) => ({ ...p.point.values, ...withoutWall(r) }))),
    wallMs: Math.round(s.wallMs),
  };
  return `${JSON.stringify(obj, null, 2)}\n`;
}

function withoutWall(r: Record<string, SummaryValue>): Record<string, SummaryValue> {
  const { wallMs: _w, ...rest } = r;
  return rest;
}

export function sweepRunsCsv(s: SweepResult): string {
  const varyKeys = s.plan.vary.map((v) => v.path);
  const keys = new Set<string>();
  for (const p of s.points) for (const r of p.runs) for (const k of Object.keys(r)) keys.add(k);
  const columns = [...varyKeys, ...[...keys].filter((k) => !varyKeys.includes(k))];
  const rows = s.points.flatMap((p) => p.runs.map((r) => ({ ...r, ...valuesAsText(p.point.values) })));
  return rowsCsv(columns, rows);
}

export function sweepAggregateCsv(s: SweepResult): string {
  const varyKeys = s.plan.vary.map((v) => v.path);
  const columns = [...varyKeys, 'runs'];
  for (const k of s.metricKeys) columns.push(`${k}_mean`, `${k}_ci95`, `${k}_n`);
  const rows = s.points.map((p) => {
    const row: Record<string, unknown> = { ...valuesAsText(p.point.values), runs: p.runs.length };
    for (const k of s.metricKeys) {
      const a = p.metrics[k];
      row[`${k}_mean`] = a?.mean ?? null;
      row[`${k}_ci95`] = a?.ci95 ?? null;
      row[`${k}_n`] = a?.n ?? 0;
    }
    return row;
  });
  return rowsCsv(columns, rows);
}

function valuesAsText(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
  return out;
}

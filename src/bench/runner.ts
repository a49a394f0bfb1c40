/**
 * The bench runner: runs a bench file's case `warmup` times untimed, then `runs` times timed, and
 * prints the figures of the median run (by wall time) with what every bench reports the same way:
 * wall time, events per second (where the case counts events), CPU time, peak memory, the V8 flags in
 * force, the medians of every figure over the runs, the commit and the machine's load when it started.
 * A case is one measured run: it builds what it measures, runs it, and returns its own figures.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../core/index.js';
import { v8Tuning } from '../host/v8-tuning.js';
import type { BenchFile, OptionType, OptionValue } from './file.js';

/** A case's figures: numbers, text, lists; nested objects are kept as they are. */
export type Figures = Record<string, unknown>;

/** The type of each option a case takes, by its command-line name (`file-size`). */
export type OptionTypes = Record<string, OptionType>;
type ValueOf<T extends OptionType> = T extends 'int' | 'number' ? number : T extends 'string' ? string : T extends 'flag' ? boolean : Record<string, unknown>;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** The options a case runs with: camelCase keys (`fileSize`), typed by their declaration. */
export type OptionsOf<S extends OptionTypes> = { [K in keyof S & string as Camel<K>]: ValueOf<S[K]> };

/**
 * The measured code of a bench: the options it takes (a bench file must declare exactly these, with
 * these types) and one measured run, which builds what it measures, runs it and returns its figures.
 */
export interface BenchCase<S extends OptionTypes = OptionTypes> {
  readonly options: S;
  run(options: OptionsOf<S>, ctx: CaseContext): Promise<Figures>;
}

export interface CaseContext {
  /** Progress for a person watching (stderr-free runs print nothing with --json). */
  log(line: string): void;
  /** The options exactly as given on the command line (a case that re-runs itself elsewhere passes them on). */
  readonly argv: readonly string[];
}

export interface RunOptions {
  runs: number;
  warmup: number;
  log?: (line: string) => void;
  argv?: readonly string[];
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** `git describe --always --dirty` of the checkout the bench runs from, or null outside one. */
export function commitOf(dir = ROOT): string | null {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null;
  } catch {
    return null;
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The keys the runner adds to a case's figures (a case that re-runs itself elsewhere strips them). */
export const RUNNER_KEYS = ['bench', 'runs', 'runsWallMs', 'runsEventsPerSec', 'cpuMs', 'medians', 'peakRssMB', 'v8Flags', 'execArgv', 'node', 'loadAvg', 'commit', 'benchFile'] as const;

/** Runs a case per the bench file and returns the one JSON object the bench prints. */
export async function runBench(file: BenchFile, benchCase: BenchCase, values: Record<string, OptionValue>, o: RunOptions): Promise<Figures> {
  const run = (v: Record<string, OptionValue>, ctx: CaseContext): Promise<Figures> => benchCase.run(v as OptionsOf<OptionTypes>, ctx);
  const log = o.log ?? (() => undefined);
  const ctx: CaseContext = { log, argv: o.argv ?? [] };
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  for (let i = 0; i < o.warmup; i++) {
    log(`warm-up ${i + 1}/${o.warmup}`);
    await run(values, ctx);
  }
  const runs: { figures: Figures; wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < o.runs; i++) {
    if (o.runs > 1) log(`run ${i + 1}/${o.runs}`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const figures = await run(values, ctx);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    if (figures.wallMs === undefined) figures.wallMs = Math.round(wallMs);
    if (figures.eventsPerSec === undefined && typeof figures.events === 'number' && typeof figures.wallMs === 'number' && figures.wallMs > 0)
      figures.eventsPerSec = Math.round(figures.events / (figures.wallMs / 1000));
    runs.push({ figures, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  const byWall = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const mid = byWall[(byWall.length - 1) >> 1]!;
  const out: Figures = { bench: file.name, ...mid.figures, runs: o.runs };
  out.runsWallMs = runs.map((r) => round1(r.wallMs));
  if (runs.every((r) => typeof r.figures.eventsPerSec === 'number')) out.runsEventsPerSec = runs.map((r) => r.figures.eventsPerSec);
  if (out.cpuMs === undefined) out.cpuMs = Math.round(mid.cpuMs);
  if (o.runs > 1) {
    const medians: Record<string, number> = {};
    for (const [k, v] of Object.entries(mid.figures)) {
      if (typeof v !== 'number') continue;
      const xs = runs.map((r) => r.figures[k]).filter((x): x is number => typeof x === 'number');
      if (xs.length === runs.length) medians[k] = median(xs);
    }
    out.medians = medians;
  }
  out.peakRssMB = round1(process.resourceUsage().maxRSS / 1024);
  out.v8Flags = v8Tuning();
  out.execArgv = process.execArgv;
  out.node = process.version;
  out.loadAvg = load;
  out.commit = commitOf();
  out.benchFile = file.path.startsWith(ROOT) ? file.path.slice(ROOT.length + 1) : file.path;
  return out;
}

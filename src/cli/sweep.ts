/**
 * `peerlab sweep <scenario> --vary key=v1,v2,... [--vary ...] [--seeds N] --out <dir>`: the grid of
 * every `--vary` times N seeds, run in parallel on worker threads (one per core), aggregated into
 * means and 95% confidence intervals; writes runs.csv, aggregate.csv, sweep.json and report.html.
 * For a cluster: `--shard I/N` (or `--shards N` with the index from the batch engine) runs one slice
 * into `<dir>/shard-I-of-N`, `peerlab sweep merge` joins the slices into the same four files, and
 * `--emit k8s|slurm --shards N` writes the batch engine's manifests instead of running anything.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ScenarioError } from '../lab/errors.js';
import { readScenarioText } from '../lab/load.js';
import { emitManifests, type EmitKind } from '../lab/manifests.js';
import { writeResults } from '../lab/output.js';
import { defaultWorkers } from '../lab/pool.js';
import { findShards, mergeShards, parseShardCount, parseShardSpec, runShard, SHARD_FILE, ShardError, shardFolder, shardFromEnv, type ShardSpec } from '../lab/shard.js';
import { parseVary, planSweep, runSweep, sweepAggregateCsv, sweepJson, sweepRunsCsv, type SweepPlan, type SweepResult, type Vary } from '../lab/sweep.js';
import { formatDuration, parseDuration, parseSize } from '../lab/units.js';
import { Command, scenarioArgs } from './args.js';

const USAGE = `usage: peerlab sweep <scenario> --vary key.path=v1,v2,... [--vary ...] [--seeds N] --out <dir>
                     [--seed N] [--set key.path=value ...] [--workers N] [--quiet]
                     [--shard I/N | --shards N]
       peerlab sweep <scenario> --vary ... --emit k8s|slurm --shards N --out <dir> [--image IMAGE]
                     [--name NAME] [--cpus N] [--memory SIZE] [--parallelism P] [--time DURATION]
                     [--storage SIZE] [--storage-class NAME] [--claim NAME]
       peerlab sweep merge <dir>... --out <dir>

  --vary k=v1,v2   values of one key (read as YAML); several --vary make a grid
  --seeds N        runs per grid point, seeds seed, seed+1, ... (default 3)
  --seed N         first seed (default: the scenario's)
  --set k.path=v   a fixed override applied to every run
  --workers N      worker threads (default: one per core, ${defaultWorkers()} here)
  --out <dir>      runs.csv, aggregate.csv, sweep.json, report.html

 on a cluster:
  --shard I/N      run only slice I (0..N-1) of the grid x seeds, into <dir>/shard-I-of-N
  --shards N       the same, the index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)
                   or SLURM_ARRAY_TASK_ID (Slurm array); with --emit, the number of shards
  merge <dir>...   shard folders, or folders of shard-I-of-N folders, into the four files above
  --emit k8s       write an Indexed Job, its ConfigMap and results claim, a merge Job, submit.sh
  --emit slurm     write an sbatch job array (--array=0-(N-1)), a merge script, submit.sh
  --image IMAGE    the peerlab container image (k8s: required; slurm: run with apptainer)
  --name NAME      job name (default peerlab-<scenario name>)
  --cpus N         CPUs (and worker threads) per shard (default 1)
  --memory SIZE    memory per shard (default 2GiB)
  --parallelism P  shards running at once (default all)
  --time DURATION  time limit per shard (2h, 90m; default none)
  --storage SIZE   k8s: size of the results claim (default 1GiB), --storage-class its class,
  --claim NAME     or an existing ReadWriteMany claim to use instead`;

const cmd = new Command('sweep', USAGE);

const EMIT_ONLY = ['image', 'name', 'cpus', 'memory', 'parallelism', 'time', 'storage', 'storage-class', 'claim'] as const;

const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4 };

/** `2Gi`, `512Mi` (Kubernetes) or `2GiB`, `512MB` (the lab's sizes) in bytes; null if neither. */
function memorySize(text: string): number | null {
  const k = /^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti)\s*$/.exec(text);
  if (k) return Number(k[1]) * 1024 ** BINARY_POWER[k[2]!]!;
  const b = parseSize(text);
  return b !== null && b > 0 ? b : null;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'merge') return merge(argv.slice(1));
  const args = await scenarioArgs(cmd, argv, {
    vary: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    shards: { type: 'string' },
    emit: { type: 'string' },
    image: { type: 'string' },
    name: { type: 'string' },
    cpus: { type: 'string' },
    memory: { type: 'string' },
    parallelism: { type: 'string' },
    time: { type: 'string' },
    storage: { type: 'string' },
    'storage-class': { type: 'string' },
    claim: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  const { file, out, values, load } = args;
  if (!values.vary?.length) return cmd.fail('missing --vary key=v1,v2,...', true);
  const seeds = cmd.int('seeds', values.seeds, 1);
  const workers = cmd.int('workers', values.workers, 1);
  if (seeds === null || workers === null) return 2;
  const emit = values.emit;
  if (emit !== undefined && emit !== 'k8s' && emit !== 'slurm') return cmd.fail(`--emit: expected k8s or slurm, got ${JSON.stringify(emit)}`);
  if (emit === undefined) {
    const stray = EMIT_ONLY.find((k) => values[k] !== undefined);
    if (stray) return cmd.fail(`--${stray} goes with --emit k8s|slurm`);
  }
  if (values.shard !== undefined && values.shards !== undefined) return cmd.fail('give --shard I/N or --shards N, not both');
  if (emit !== undefined && values.shard !== undefined) return cmd.fail('--emit writes every shard: give --shards N, not --shard I/N');

  let plan: SweepPlan;
  try {
    const text = await readScenarioText(file);
    const vary: Vary[] = values.vary.map(parseVary);
    plan = planSweep(text, file, vary, seeds ?? 3, load);
  } catch (e) {
    if (e instanceof ScenarioError) return cmd.invalidScenario(e, file);
    throw e;
  }
  const driversModule = values['drivers-module'];
  try {
    if (emit !== undefined) return await emitCommand(plan, file, out, emit, values, workers, driversModule);
    let spec: ShardSpec | null = null;
    if (values.shard !== undefined) spec = parseShardSpec(values.shard);
    else if (values.shards !== undefined) spec = shardFromEnv(parseShardCount(values.shards));
    if (spec) return await shardCommand(plan, spec, out, values.quiet === true, workers, driversModule);
  } catch (e) {
    if (e instanceof ShardError) return cmd.fail(e.message);
    throw e;
  }

  const total = plan.points.length * plan.seeds.length;
  const progress = progressLine(total, values.quiet === true);
  const result = await runSweep(plan, {
    ...(workers !== undefined ? { workers } : {}),
    ...(driversModule ? { driversModule } : {}),
    onProgress: progress.update,
  });
  progress.clear();
  await writeSweep(out, result);
  if (!values.quiet) {
    console.log(`${plan.scenario.name}: ${plan.points.length} grid points x ${plan.seeds.length} seeds = ${total} runs in ${formatDuration(result.wallMs)}`);
    console.log(`  wrote ${out}/{sweep.json,runs.csv,aggregate.csv,report.html}`);
  }
  return 0;
}

function progressLine(total: number, quiet: boolean): { update: (done: number) => void; clear: () => void } {
  const tty = process.stderr.isTTY && !quiet;
  const started = performance.now();
  return {
    update: (done) => {
      if (tty) process.stderr.write(`\r\x1b[2K${done}/${total} runs  wall ${formatDuration(performance.now() - started)}`);
    },
    clear: () => {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}

async function writeSweep(out: string, result: SweepResult): Promise<void> {
  const { sweepReport } = await import('../lab/report/sweep-report.js');
  await writeResults(out, {
    'sweep.json': sweepJson(result),
    'runs.csv': sweepRunsCsv(result),
    'aggregate.csv': sweepAggregateCsv(result),
    'report.html': sweepReport(result),
  });
}

async function shardCommand(plan: SweepPlan, spec: ShardSpec, out: string, quiet: boolean, workers: number | undefined, driversModule: string | undefined): Promise<number> {
  const total = plan.points.length * plan.seeds.length;
  const mine = Math.max(0, Math.ceil((total - spec.index) / spec.count));
  const progress = progressLine(mine, quiet);
  const r = await runShard(plan, spec, {
    ...(workers !== undefined ? { workers } : {}),
    ...(driversModule ? { driversModule } : {}),
    onProgress: progress.update,
  });
  progress.clear();
  const dir = join(out, shardFolder(spec));
  await writeResults(dir, { [SHARD_FILE]: r.text });
  if (!quiet) {
    console.log(`${plan.scenario.name}: shard ${spec.index} of ${spec.count}: ${r.file.runs.length} of ${total} runs in ${formatDuration(r.file.wallMs)}`);
    console.log(`  wrote ${join(dir, SHARD_FILE)}; when every shard is done: peerlab sweep merge ${out} --out <dir>`);
  }
  return 0;
}

type EmitValues = Partial<Record<(typeof EMIT_ONLY)[number] | 'shards', string>>;

async function emitCommand(
  plan: SweepPlan,
  file: string,
  out: string,
  kind: EmitKind,
  values: EmitValues,
  workers: number | undefined,
  driversModule: string | undefined,
): Promise<number> {
  if (values.shards === undefined) return cmd.fail(`--emit ${kind}: give --shards N`);
  const shards = parseShardCount(values.shards);
  const cpus = cmd.int('cpus', values.cpus, 1, 1024);
  const parallelism = cmd.int('parallelism', values.parallelism, 1);
  if (cpus === null || parallelism === null) return 2;
  const size = (opt: 'memory' | 'storage'): number | null | undefined => {
    const t = values[opt];
    if (t === undefined) return undefined;
    const b = memorySize(t);
    if (b === null) cmd.fail(`--${opt}: expected a size such as 2Gi, 512Mi or 4GiB, got ${JSON.stringify(t)}`);
    return b;
  };
  const memoryBytes = size('memory');
  const storageBytes = size('storage');
  if (memoryBytes === null || storageBytes === null) return 2;
  let timeMs: number | undefined;
  if (values.time !== undefined) {
    const t = parseDuration(values.time);
    if (t === null || t < 1000) return cmd.fail(`--time: expected a duration of at least 1s such as 90m or 2h, got ${JSON.stringify(values.time)}`);
    timeMs = t;
  }
  const files = emitManifests(plan, file, {
    kind,
    shards,
    outDir: out,
    ...(values.image !== undefined ? { image: values.image } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(memoryBytes !== undefined ? { memoryBytes } : {}),
    ...(parallelism !== undefined ? { parallelism } : {}),
    ...(timeMs !== undefined ? { timeMs } : {}),
    ...(storageBytes !== undefined ? { storageBytes } : {}),
    ...(values['storage-class'] !== undefined ? { storageClass: values['storage-class'] } : {}),
    ...(values.claim !== undefined ? { claim: values.claim } : {}),
    ...(driversModule ? { driversModule } : {}),
  });
  await writeResults(out, files);
  for (const name of Object.keys(files)) if (name.endsWith('.sh') || name.endsWith('.sbatch')) await chmod(join(out, name), 0o755);
  const total = plan.points.length * plan.seeds.length;
  console.log(`${plan.scenario.name}: ${total} runs in ${shards} shards for ${kind === 'k8s' ? 'Kubernetes' : 'Slurm'}`);
  console.log(`  wrote ${out}/{${Object.keys(files).join(',')}}; run ${join(out, 'submit.sh')}`);
  return 0;
}

const mergeCmd = new Command(
  'sweep merge',
  `usage: peerlab sweep merge <dir>... --out <dir> [--quiet]

  <dir>      a shard folder (holding ${SHARD_FILE}) or a folder of shard-I-of-N folders (a sharded
             sweep's --out); every shard of the sweep must be there, each once
  --out dir  runs.csv, aggregate.csv, sweep.json, report.html: what the unsharded sweep writes`,
);

async function merge(argv: string[]): Promise<number> {
  const parsed = mergeCmd.parse(argv, { out: { type: 'string', short: 'o' }, quiet: { type: 'boolean', short: 'q' } }, true);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) return mergeCmd.fail('give the shard folders to merge', true);
  if (!values.out) return mergeCmd.fail('missing --out <dir>', true);
  let merged;
  try {
    merged = await mergeShards(await findShards(positionals));
  } catch (e) {
    if (e instanceof ShardError) return mergeCmd.fail(e.message);
    throw e;
  }
  const r = merged.result;
  await writeSweep(values.out, r);
  if (!values.quiet) {
    console.log(
      `${r.plan.scenario.name}: merged ${merged.shards.length} shards: ${r.plan.points.length} grid points x ${r.plan.seeds.length} seeds = ${r.plan.points.length * r.plan.seeds.length} runs (slowest shard ${formatDuration(r.wallMs)})`,
    );
    console.log(`  wrote ${values.out}/{sweep.json,runs.csv,aggregate.csv,report.html}`);
  }
  return 0;
}

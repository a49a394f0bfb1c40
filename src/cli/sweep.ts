/**
 * `peerlab sweep <scenario> --vary key=v1,v2,... [--vary ...] [--seeds N] --out <dir>`: the grid of
 * every `--vary` times N seeds, run in parallel on worker threads (one per core), aggregated into
 * means and 95% confidence intervals; writes runs.csv, aggregate.csv, sweep.json and report.html.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ScenarioError } from '../lab/errors.js';
import type { ProtocolDriver } from '../protocols/driver.js';
import { writeResults } from '../lab/output.js';
import { defaultWorkers } from '../lab/pool.js';
import { parseVary, planSweep, runSweep, sweepAggregateCsv, sweepJson, sweepRunsCsv, type Vary } from '../lab/sweep.js';
import { formatDuration } from '../lab/units.js';

const USAGE = `usage: peerlab sweep <scenario> --vary key.path=v1,v2,... [--vary ...] [--seeds N] --out <dir>
                     [--seed N] [--set key.path=value ...] [--workers N] [--quiet]

  --vary k=v1,v2   values of one key (read as YAML); several --vary make a grid
  --seeds N        runs per grid point, seeds seed, seed+1, ... (default 3)
  --seed N         first seed (default: the scenario's)
  --set k.path=v   a fixed override applied to every run
  --workers N      worker threads (default: one per core, ${defaultWorkers()} here)
  --out <dir>      runs.csv, aggregate.csv, sweep.json, report.html`;

export async function main(argv: string[]): Promise<number> {
  let values: {
    vary?: string[];
    seeds?: string;
    seed?: string;
    set?: string[];
    out?: string;
    workers?: string;
    quiet?: boolean;
    help?: boolean;
    /** For tests: a module exporting `drivers` to use instead of the registry. */
    'drivers-module'?: string;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        vary: { type: 'string', multiple: true },
        seeds: { type: 'string' },
        seed: { type: 'string' },
        set: { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        workers: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        'drivers-module': { type: 'string' },
      },
    }));
  } catch (e) {
    console.error(`peerlab sweep: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1 || !values.out || !values.vary?.length) {
    const why = !file ? 'missing the scenario file' : positionals.length > 1 ? 'one scenario at a time' : !values.out ? 'missing --out <dir>' : 'missing --vary key=v1,v2,...';
    console.error(`peerlab sweep: ${why}\n\n${USAGE}`);
    return 2;
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined | null => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) {
      console.error(`peerlab sweep: --${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
      return null;
    }
    return n;
  };
  const seeds = int('seeds', values.seeds, 1);
  const seed = int('seed', values.seed, 0);
  const workers = int('workers', values.workers, 1);
  if (seeds === null || seed === null || workers === null) return 2;

  let plan;
  try {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ScenarioError([{ path: '', problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message }], file);
    }
    const vary: Vary[] = values.vary.map(parseVary);
    const dm = values['drivers-module'];
    const drivers = dm ? ((await import(dm)) as { drivers: Record<string, ProtocolDriver> }).drivers : undefined;
    plan = planSweep(text, file, vary, seeds ?? 3, { ...(seed !== undefined ? { seed } : {}), set: values.set ?? [], ...(drivers ? { drivers } : {}) });
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(`peerlab sweep: ${e.source}: invalid scenario\n${e.message.replace(/^/gm, '  ')}`);
      return 2;
    }
    throw e;
  }

  const total = plan.points.length * plan.seeds.length;
  const tty = process.stderr.isTTY && !values.quiet;
  const started = performance.now();
  const result = await runSweep(plan, {
    ...(workers !== undefined ? { workers } : {}),
    ...(values['drivers-module'] ? { driversModule: values['drivers-module'] } : {}),
    onProgress: (done) => {
      if (tty) process.stderr.write(`\r\x1b[2K${done}/${total} runs  wall ${formatDuration(performance.now() - started)}`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  const { sweepReport } = await import('../lab/report/sweep.js');
  await writeResults(values.out, {
    'sweep.json': sweepJson(result),
    'runs.csv': sweepRunsCsv(result),
    'aggregate.csv': sweepAggregateCsv(result),
    'report.html': sweepReport(result),
  });
  if (!values.quiet) {
    console.log(`${plan.scenario.name}: ${plan.points.length} grid points x ${plan.seeds.length} seeds = ${total} runs in ${formatDuration(result.wallMs)}`);
    console.log(`  wrote ${values.out}/{sweep.json,runs.csv,aggregate.csv,report.html}`);
  }
  return 0;
}

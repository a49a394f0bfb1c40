/**
 * `peerlab sweep <scenario> --vary key=v1,v2,... [--vary ...] [--seeds N] --out <dir>`: the grid of
 * every `--vary` times N seeds, run in parallel on worker threads (one per core), aggregated into
 * means and 95% confidence intervals; writes runs.csv, aggregate.csv, sweep.json and report.html.
 */
import { ScenarioError } from '../lab/errors.js';
import { readScenarioText } from '../lab/load.js';
import { writeResults } from '../lab/output.js';
import { defaultWorkers } from '../lab/pool.js';
import { parseVary, planSweep, runSweep, sweepAggregateCsv, sweepJson, sweepRunsCsv, type Vary } from '../lab/sweep.js';
import { formatDuration } from '../lab/units.js';
import { Command, scenarioArgs } from './args.js';

const USAGE = `usage: peerlab sweep <scenario> --vary key.path=v1,v2,... [--vary ...] [--seeds N] --out <dir>
                     [--seed N] [--set key.path=value ...] [--workers N] [--quiet]

  --vary k=v1,v2   values of one key (read as YAML); several --vary make a grid
  --seeds N        runs per grid point, seeds seed, seed+1, ... (default 3)
  --seed N         first seed (default: the scenario's)
  --set k.path=v   a fixed override applied to every run
  --workers N      worker threads (default: one per core, ${defaultWorkers()} here)
  --out <dir>      runs.csv, aggregate.csv, sweep.json, report.html`;

const cmd = new Command('sweep', USAGE);

export async function main(argv: string[]): Promise<number> {
  const args = await scenarioArgs(cmd, argv, {
    vary: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    workers: { type: 'string' },
  });
  if (typeof args === 'number') return args;
  const { file, out, values, load } = args;
  if (!values.vary?.length) return cmd.fail('missing --vary key=v1,v2,...', true);
  const seeds = cmd.int('seeds', values.seeds, 1);
  const workers = cmd.int('workers', values.workers, 1);
  if (seeds === null || workers === null) return 2;

  let plan;
  try {
    const text = await readScenarioText(file);
    const vary: Vary[] = values.vary.map(parseVary);
    plan = planSweep(text, file, vary, seeds ?? 3, load);
  } catch (e) {
    if (e instanceof ScenarioError) return cmd.invalidScenario(e, file);
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
  await writeResults(out, {
    'sweep.json': sweepJson(result),
    'runs.csv': sweepRunsCsv(result),
    'aggregate.csv': sweepAggregateCsv(result),
    'report.html': sweepReport(result),
  });
  if (!values.quiet) {
    console.log(`${plan.scenario.name}: ${plan.points.length} grid points x ${plan.seeds.length} seeds = ${total} runs in ${formatDuration(result.wallMs)}`);
    console.log(`  wrote ${out}/{sweep.json,runs.csv,aggregate.csv,report.html}`);
  }
  return 0;
}

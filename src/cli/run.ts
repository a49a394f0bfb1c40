/**
 * `peerlab run <scenario> --out <dir> [--seed N] [--set key.path=value ...]`: runs one scenario and
 * writes `summary.json`, `series.csv`, `samples.csv` and `report.html` into `<dir>`. A bad scenario
 * exits with code 2 and a message naming the path; nothing is written.
 */
import { ScenarioError } from '../lab/errors.js';
import { loadScenarioFile, readScenarioText } from '../lab/load.js';
import { samplesCsv, seriesCsv, summaryJson, summaryObject, writeResults } from '../lab/output.js';
import { formatValue } from '../lab/report/format.js';
import { runSession } from '../lab/runner.js';
import { createSession } from '../lab/session.js';
import { formatDuration } from '../lab/units.js';
import { Command, outFileProblem, scenarioArgs, USAGE_ERROR } from './args.js';

const USAGE = `usage: peerlab run <scenario.yaml|json> --out <dir> [--seed N] [--set key.path=value ...] [--quiet]
                   [--record <file.peerlab.jsonl[.gz]>] [--record-every <ms>]

  --out <dir>        where summary.json, series.csv, samples.csv and report.html go
  --seed <N>         overrides the scenario's seed
  --set k.path=v     overrides one key (the value is read as YAML), e.g. --set protocol.fanout=3
  --quiet            no progress bar, no summary on stdout
  --record <file>    also write a dashboard recording of the run (gzip if the name ends in .gz;
                     the dashboard opens it for replay); simulates the run a second time
  --record-every <ms>  virtual ms between recorded frames (default 250)`;

const cmd = new Command('run', USAGE);

export async function main(argv: string[]): Promise<number> {
  const args = await scenarioArgs(cmd, argv, { record: { type: 'string' }, 'record-every': { type: 'string' } });
  if (typeof args === 'number') return args;
  const { file, out, values, load } = args;
  const recordEvery = cmd.int('record-every', values['record-every'], 1);
  if (recordEvery === null) return USAGE_ERROR;
  const recordProblem = values.record !== undefined ? outFileProblem('--record', values.record) : null;
  if (recordProblem) return cmd.fail(recordProblem);
  const drivers = load.drivers;
  let scenario;
  try {
    scenario = await loadScenarioFile(file, load);
  } catch (e) {
    if (e instanceof ScenarioError) return cmd.invalidScenario(e, file);
    throw e;
  }

  const started = performance.now();
  let session;
  try {
    session = createSession(scenario, drivers ? { drivers } : {});
  } catch (e) {
    // a combination of keys the driver refuses (its schema cannot see across sections)
    return cmd.invalidScenario(e as Error, scenario.source);
  }
  const tty = process.stderr.isTTY && !values.quiet;
  const result = runSession(session, {
    ...(tty ? { onProgress: (f: number, t: number) => progress(f, t, performance.now() - started) } : {}),
  }, started);
  if (tty) process.stderr.write('\r\x1b[2K');

  const summary = summaryObject(result);
  // charts load only now: a bad scenario fails fast without paying for ECharts
  const { runReport } = await import('../lab/report/run-report.js');
  const html = runReport(result, scenario, summary);

  // the recording is made before anything is written, so a run either writes everything or nothing
  // (src/host/record-run.ts: the same recording the dashboard saves)
  const recordMod = values.record ? await import('../host/record-run.js') : null;
  const rec = recordMod
    ? recordMod.recordRun({
        file,
        text: await readScenarioText(file),
        set: load.set ?? [],
        ...(load.seed !== undefined ? { seed: load.seed } : {}),
        ...(drivers ? { drivers } : {}),
        ...(recordEvery !== undefined ? { everyMs: recordEvery } : {}),
      })
    : null;
  try {
    await writeResults(out, {
      'summary.json': summaryJson(result),
      'series.csv': seriesCsv(result.series),
      'samples.csv': samplesCsv(result.samples),
      'report.html': html,
    });
    if (recordMod && rec && values.record) {
      await recordMod.writeRecording(values.record, rec);
      if (!values.quiet) console.log(`  recorded ${rec.frames} frames to ${values.record}`);
    }
  } catch (e) {
    console.error(`peerlab run: cannot write the results: ${(e as Error).message}`);
    return 1;
  }

  if (!values.quiet) {
    console.log(`${scenario.name}: ${result.protocol}, ${result.peers} peers, seed ${result.seed}`);
    console.log(`  ended by ${result.endReason} at ${formatDuration(result.virtualTimeMs)} virtual, ${formatDuration(result.wallMs)} wall, ${result.events.toLocaleString('en-US')} events`);
    const width = Math.max(...Object.keys(result.summary).map((k) => k.length));
    for (const k of Object.keys(result.summary)) console.log(`  ${k.padEnd(width)}  ${formatValue(k, summary[k])}`);
    console.log(`  wrote ${out}/{summary.json,series.csv,samples.csv,report.html}`);
  }
  return 0;
}

function progress(fraction: number, virtualMs: number, wallMs: number): void {
  const width = 30;
  const filled = Math.round(fraction * width);
  process.stderr.write(
    `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  virtual ${formatDuration(virtualMs)}  wall ${formatDuration(wallMs)}`,
  );
}
